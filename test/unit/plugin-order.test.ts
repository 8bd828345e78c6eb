import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dependencyOrder } from '../../daemon/plugins/order.js';

test('dependencies start first; missing and cyclic dependencies are reported', () => {
  const r = dependencyOrder([
    { name: 'chat', dependsOn: ['archive'] },
    { name: 'archive' },
    { name: 'video', dependsOn: ['ghost'] },
    { name: 'a', dependsOn: ['b'] },
    { name: 'b', dependsOn: ['a'] },
    { name: 'c', dependsOn: ['video'] },
  ]);
  assert.deepEqual(r.order, ['archive', 'chat']);
  assert.match(r.problems.video, /"ghost", which is not enabled/);
  assert.match(r.problems.a + r.problems.b, /cycle/);
  assert.match(r.problems.c, /"video", which cannot start/);
});
