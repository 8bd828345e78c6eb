// Regression (review s7 #17): a wired link's doctor lines say what they check and what they cannot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WiredConfig, wiredDoctor } from '../../transports/wired/wired.js';

const run = async (cfg: Record<string, unknown>) => Promise.all(wiredDoctor(WiredConfig.parse({ id: 'eth', kind: 'wired', ...cfg }))
  .map(async (c) => ({ name: c.name, ...await c.run(AbortSignal.timeout(5000)) })));

test('a wired link with nothing to check says so; an interface without localAddress has its address checked', async () => {
  const bare = await run({});
  assert.equal(bare.length, 1);
  assert.equal(bare[0].name, 'link');
  assert.match(bare[0].detail, /^not checked: no interface or localAddress set/);

  const lo = await run({ interface: 'lo' });
  assert.deepEqual(lo.map((c) => c.name), ['interface lo has carrier', 'interface lo has an IPv4 address']);
  assert.equal(lo[1].ok, true);
  assert.match(lo[1].detail, /^127\.0\.0\.1/);

  const addr = await run({ localAddress: '127.0.0.1' });
  assert.deepEqual(addr.map((c) => c.name), ['source address 127.0.0.1 is configured']);
  assert.match(addr[0].detail, /on lo; carrier not watched \(no interface set\)/);
});
