// The master side of `bench/outbox.ts`: the real master (embedded aedes, in-process ingestion, dedupe, level
// store, PUBACK after the commit) in its own process, as on a real deployment where box and master never share
// a core. Run by the bench through `fork` with tsx; it answers over IPC: {ready, port}, {count} while events are
// stored, {reset} and {box, password} (a box provisioned) on request.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMaster } from '../master/index.js';

const send = (m: unknown) => process.send?.(m);
// On a deployment the master writes to another machine's disk: here its store goes to RAM (/dev/shm) so that its
// LevelDB writes and compactions do not queue on the disk the box's write-ahead log syncs to (a shared virtio
// disk turns that into multi-millisecond stalls of every O_DSYNC write). Its CPU cost is unchanged.
// BENCH_MASTER_DIR overrides it (e.g. a path on the box's disk, to see the shared-disk case).
const dataDir = await mkdtemp(join(process.env.BENCH_MASTER_DIR ?? (existsSync('/dev/shm') ? '/dev/shm' : tmpdir()), 'kefu-bench-master-'));
const master = createMaster({
  dataDir,
  broker: { tcp: { host: '127.0.0.1', port: 0 }, connectRate: { perWindow: 10_000, windowMs: 1000 } },
  http: { host: '127.0.0.1', port: 0 },
});
const urls = await master.start();
const ingest = () => master.stats().ingest;
let base = ingest().events;
let last = -1;
const ticker = setInterval(() => {
  const { events, commits } = ingest();
  if (events - base !== last) { last = events - base; send({ count: last, commits }); }
}, 5);
process.on('message', async (m: string | { provision: string }) => {
  if (typeof m === 'object') {
    const cred = await master.provisionBox(m.provision, 'bench');
    send({ box: m.provision, password: (await readFile(cred.passwordFile, 'utf8')).trim() });
  }
  if (m === 'reset') { base = ingest().events; last = -1; send({ count: 0, commits: ingest().commits, reset: true }); }
  if (m === 'stop') {
    clearInterval(ticker);
    await master.stop();
    await rm(dataDir, { recursive: true, force: true });
    process.disconnect();
  }
});
send({ ready: true, port: Number(new URL(urls.mqtt!).port) });
