import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRootStore, sublevel } from '../../../daemon/store.js';
import { createCommandLedger } from '../../../daemon/commands/command-ledger.js';
import { tempDir } from '../../helpers/tmp.js';

test('command ids are pruned by age, younger ones are kept', async (t) => {
  const root = createRootStore(await tempDir(t));
  await root.open();
  t.after(() => root.close());
  let now = 1_000_000;
  const ledger = createCommandLedger({ store: sublevel(root, 'commands'), retentionMs: 10_000, now: () => now });
  await ledger.finish('old', { v: 1, id: 'old', ok: true, result: 1 });
  now += 8_000;
  await ledger.begin('young');
  now += 5_000;
  assert.equal(await ledger.prune(), 1);
  assert.equal(await ledger.get('old'), undefined);
  assert.deepEqual(await ledger.get('young'), { s: 'running', ts: 1_008_000 });
});
