// A box process for the durability test: outbox + uplink on a level store, broker address from argv.
//   node --import tsx test/sim/outbox-box.ts <dataDir> <brokerPort> <count>
// count > 0: enqueue that many events (classes in turn) and print {"persisted":[ids]} once all resolved.
// count = 0: only deliver what the outbox holds; prints {"drained":true} when it is empty.
// count < 0: enqueue without end (32 producers) and print {"ids":[...]} for every event as soon as it resolved,
//            so a kill -9 lands in the middle of commits.
import { join } from 'node:path';
import { createUplink } from '../../daemon/uplink/index.js';
import { OutboxConfig } from '../../daemon/outbox/config.js';
import { createOutbox } from '../../daemon/outbox/index.js';
import { createRootStore, sublevel } from '../../daemon/store.js';
import { createLogger } from '../../daemon/logger.js';
import { topics } from '../../protocol/topics.js';
import { OUTBOX_CLASSES } from '../../protocol/schemas.js';
import { tcpOpenStream } from '../helpers/aedes-broker.js';

const [dir, portArg, countArg] = process.argv.slice(2);
const port = Number(portArg);
const count = Number(countArg);
const box = { region: 'testregion', box: 'durable-1' };
const log = createLogger({ level: 'warn', name: 'sim-box' });
const say = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);

const root = createRootStore(join(dir, 'db'));
await root.open();
// KEFU_OUTBOX_MODE=wal: durable through the write-ahead log instead of a synced level batch per commit, synced as
// the product's default says; wal-deferred: appends synced within 100 ms (outbox.syncEveryMs)
const mode = process.env.KEFU_OUTBOX_MODE;
const walDir = mode === 'wal' || mode === 'wal-deferred' ? join(dir, 'wal') : undefined;
const syncEveryMs = mode === 'wal-deferred' ? 100 : OutboxConfig.parse({}).syncEveryMs;
const outbox = createOutbox({ store: sublevel(root, 'outbox'), log, maxBytes: 64 * 1024 * 1024, groupCommitMs: walDir ? 0 : 2, walDir, syncEveryMs });
await outbox.open();
const uplink = createUplink({ box, log, outbox, version: 'sim', openStream: tcpOpenStream(() => port), keepaliveSec: 2, reconnectPeriodMs: 200, connectTimeoutMs: 3000 });
uplink.start();
say({ started: true, pending: outbox.stats().pending });

if (count < 0) {
  let n = 0;
  const producer = async () => {
    for (;;) {
      const cls = OUTBOX_CLASSES[n % OUTBOX_CLASSES.length];
      const i = n++;
      const { id } = await outbox.enqueue({ topic: topics.event(box, 'sim', cls), class: cls, data: { i } });
      say({ ids: [id] });
    }
  };
  for (let p = 0; p < 32; p++) void producer();
} else if (count > 0) {
  const ids = await Promise.all(Array.from({ length: count }, (_, i) => {
    const cls = OUTBOX_CLASSES[i % OUTBOX_CLASSES.length];
    return outbox.enqueue({ topic: topics.event(box, 'sim', cls), class: cls, data: { i } }).then((r) => r.id);
  }));
  say({ persisted: ids });
} else {
  const timer = setInterval(() => {
    const s = outbox.stats();
    if (s.bytes === 0) { clearInterval(timer); say({ drained: true }); }
  }, 50);
}
process.on('SIGTERM', async () => { await uplink.stop(); await outbox.close(); await root.close(); process.exit(0); });
