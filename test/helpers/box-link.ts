// Builds a box's outbox + uplink on a real level store, wired to a broker over plain TCP (tests and the sim).
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { createRootStore, sublevel } from '../../daemon/store.js';
import { createOutbox } from '../../daemon/outbox/index.js';
import { createUplink, type UplinkOptions } from '../../daemon/uplink/index.js';
import { silentLogger } from '../../daemon/logger.js';
import { tcpOpenStream } from './aedes-broker.js';

export const BOX = { region: 'testregion', box: 'box-1' };

export async function openBox(opts: { dir: string; port: () => number; log?: Logger; maxBytes?: number; uplink?: Partial<UplinkOptions> }) {
  const log = opts.log ?? silentLogger();
  const root = createRootStore(opts.dir);
  await root.open();
  const outbox = createOutbox({ store: sublevel(root, 'outbox'), log, maxBytes: opts.maxBytes ?? 64 * 1024 * 1024, groupCommitMs: 2 });
  await outbox.open();
  const sockets: Socket[] = [];
  const uplink = createUplink({
    box: BOX, log, outbox, version: '0.1.0-test',
    openStream: tcpOpenStream(opts.port, (s) => sockets.push(s)),
    keepaliveSec: 2, reconnectPeriodMs: 200, connectTimeoutMs: 3000,
    transportInfo: () => ({ id: 'eth', kind: 'wired', quality: 1 }),
    pluginStates: () => ({ chat: 'running' }),
    ...opts.uplink,
  });
  return {
    root, outbox, uplink, sockets,
    async close() {
      await uplink.stop();
      await outbox.close();
      await root.close();
    },
  };
}
