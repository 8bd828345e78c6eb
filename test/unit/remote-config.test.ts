import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyRemoteConfig } from '../../daemon/daemon-api.js';
import { silentLogger } from '../../daemon/logger.js';
import { KefuError } from '../../protocol/errors.js';
import type { TransportManager } from '../../transports/manager/index.js';

/** the two calls the remote config makes of the link manager */
function links(ids: Array<[string, string]>) {
  const orders: string[][] = [];
  const manager = {
    status: () => ({ links: ids.map(([id, kind]) => ({ id, kind })) }),
    setOrder: async (order: string[]) => { orders.push(order); },
  } as unknown as TransportManager;
  return { manager, orders };
}

test('a remote link order names this box\'s links (ids or kinds); one it does not have is CFG_INVALID, nothing applied', async () => {
  const { manager, orders } = links([['eth', 'wired'], ['5g', 'nr5g']]);
  await applyRemoteConfig({ failover: { order: ['eth', 'nr5g'] } }, { manager, log: silentLogger() });
  assert.deepEqual(orders, [['eth', 'nr5g']]);
  await assert.rejects(applyRemoteConfig({ failover: { order: ['nope', 'eth'] } }, { manager, log: silentLogger() }),
    (err) => err instanceof KefuError && err.code === 'CFG_INVALID' && /no link "nope" on this box \(it has eth, wired, 5g, nr5g\)/.test(err.message));
  assert.equal(orders.length, 1);
});
