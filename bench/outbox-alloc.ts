// `npm run bench -- outbox-alloc [rate] [seconds]`: what the box thread allocates and keeps per event, and its GC
// pauses, in an open-loop run (default 10,000 events/s for 3 s, WAL mode, synced commits) through the uplink to the
// real master in its own process (bench/outbox-master.ts). Prints one JSON line.
//  - alloc_bytes_per_event: the sampling heap profiler (objects later collected by minor and major GCs included),
//    with the top allocation sites (function @ file:line) in bytes per event
//  - retained_bytes_per_event: heap growth after a forced GC with `held` more events enqueued and in flight to a
//    broker that never sends PUBACK (outbox index + mqtt.js's outgoing store), divided by `held`: the median of 5
//    windows, each over the ones before it after a first that warms up (code compiled on the way and the
//    producer's own promises are not counted). retained_external_bytes_per_event: the same for memory outside the
//    JS heap (Buffers' backing stores), which a young-generation collection does not copy
//  - gc: count / p50 / total / max of the pauses PerformanceObserver('gc') saw during the run; enqueue p50/p99
//  - ACK_DELAY_MS=100: the measured run's PUBACKs come that much later (a proxy in its own process), so a whole
//    window stays in flight, as when the master stalls: gc then shows what the events in flight cost each collection
// ALLOC_ROOT=/path/to/other/checkout measures that checkout's daemon/ (e.g. main, for old/new in turns).
import { mkdtemp, rm } from 'node:fs/promises';
import { fork } from 'node:child_process';
import { Session } from 'node:inspector/promises';
import { PerformanceObserver } from 'node:perf_hooks';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { silentLogger } from '../daemon/logger.js';
import { topics } from '../protocol/topics.js';
import { offerAtRate } from './outbox-parts/open-loop.js';
import { startBroker, tcpOpenStream, waitFor } from '../test/helpers/aedes-broker.js';

const RATE = Number(process.argv[2] ?? 10_000);
const SECONDS = Number(process.argv[3] ?? 3);
const ACK_DELAY_MS = Number(process.env.ACK_DELAY_MS ?? 0);
const HELD = 1024;
/** windows of HELD measured after the first (their median is the figure) */
const WINDOWS = 5;
const root = resolve(process.env.ALLOC_ROOT ?? join(fileURLToPath(import.meta.url), '../..'));
const load = async (rel: string) => import(pathToFileURL(join(root, rel)).href);
const { createRootStore, sublevel } = await load('daemon/store.ts');
const { createOutbox } = await load('daemon/outbox/index.ts');
const { createUplink } = await load('daemon/uplink/index.ts');
setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;

const data = { kind: 'chat.message', conversation: 'c-123456', text: '您好，我想咨询一下发票申领的流程。', n: 0 };
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
let boxes = 0;

async function startMaster() {
  const child = fork(new URL('./outbox-master.ts', import.meta.url), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let count = 0;
  const provisioned = new Map<string, (password: string) => void>();
  let resetAck: (() => void) | null = null;
  const port = await new Promise<number>((res, rej) => {
    child.once('exit', (code) => rej(new Error(`the bench master exited (${code}) before it was ready`)));
    child.on('message', (m: { ready?: boolean; port?: number; count?: number; reset?: boolean; box?: string; password?: string }) => {
      if (m.ready) res(m.port!);
      if (m.count !== undefined) count = m.count;
      if (m.reset) resetAck?.();
      if (m.box) provisioned.get(m.box)?.(m.password!);
    });
  });
  return {
    port,
    count: () => count,
    provision: (id: string) => new Promise<string>((r) => { provisioned.set(id, r); child.send({ provision: id }); }),
    reset: () => new Promise<void>((r) => { resetAck = r; count = 0; child.send('reset'); }),
    stop: async () => { child.send('stop'); await new Promise((r) => child.once('exit', r)); },
  };
}

async function openPipeline(port: number, login?: { username: string; password: string }, inflightWindow?: number) {
  const dir = await mkdtemp(join(tmpdir(), 'kefu-alloc-'));
  const store = createRootStore(join(dir, 'db'));
  await store.open();
  const outbox = createOutbox({ store: sublevel(store, 'outbox'), log: silentLogger(), maxBytes: 256 * 1024 * 1024, walDir: join(dir, 'wal'), syncEveryMs: 0 });
  await outbox.open();
  const ref = { region: 'bench', box: login?.username ?? `alloc-${++boxes}` };
  const uplink = createUplink({ box: ref, log: silentLogger(), outbox, version: 'bench', openStream: tcpOpenStream(() => port), inflightWindow, ...login });
  uplink.start();
  await uplink.once('connected', 10_000);
  return {
    outbox, ref,
    async close() { await uplink.stop(); await outbox.close(); await store.close(); await rm(dir, { recursive: true, force: true }); },
  };
}

/** Events offered at RATE for `seconds`; resolves with the enqueue latencies once all are durable. */
function offer(outbox: any, ref: { region: string; box: string }, rate: number, seconds: number): Promise<number[]> {
  return offerAtRate((n) => outbox.enqueue({ topic: topics.event(ref, 'bench', 'msg'), class: 'event', data: { ...data, n } }), rate, seconds);
}

interface Node { callFrame: { functionName: string; url: string; lineNumber: number }; selfSize: number; children: Node[] }
function sites(head: Node): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (n: Node) => {
    const f = n.callFrame;
    const file = f.url.replace(/^.*\/node_modules\//, '').replace(/^.*\/(daemon|bench|protocol|test)\//, '$1/');
    const key = `${f.functionName || '(anonymous)'} @ ${file || '(native)'}:${f.lineNumber + 1}`;
    if (n.selfSize > 0) out.set(key, (out.get(key) ?? 0) + n.selfSize);
    for (const c of n.children) walk(c);
  };
  walk(head);
  return out;
}

/** A port that reaches the master with its answers held ACK_DELAY_MS (bench/outbox-parts/ack-delay-proxy.ts). */
async function ackDelayProxy(port: number) {
  const child = fork(new URL('./outbox-parts/ack-delay-proxy.ts', import.meta.url), [String(port), String(ACK_DELAY_MS)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const proxied = await new Promise<number>((res) => child.once('message', (m: { port: number }) => res(m.port)));
  return { port: proxied, stop: () => child.kill() };
}

async function measuredRun(master: Awaited<ReturnType<typeof startMaster>>, session: Session) {
  await master.reset();
  const username = `alloc-${++boxes}`;
  const proxy = ACK_DELAY_MS > 0 ? await ackDelayProxy(master.port) : null;
  const p = await openPipeline(proxy?.port ?? master.port, { username, password: await master.provision(username) });
  await offer(p.outbox, p.ref, RATE, 1); // warm-up: JIT, pools, the master's caches
  await waitFor(() => p.outbox.stats().bytes === 0, 60_000, 'warm-up acked');
  const pauses: number[] = [];
  const obs = new PerformanceObserver((list) => { for (const e of list.getEntries()) pauses.push(e.duration); });
  obs.observe({ entryTypes: ['gc'] });
  await session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMinorGC: true, includeObjectsCollectedByMajorGC: true } as never);
  const before = master.count();
  let inflightMax = 0;
  const watch = setInterval(() => { inflightMax = Math.max(inflightMax, p.outbox.stats().inflight); }, 5);
  const latencies = await offer(p.outbox, p.ref, RATE, SECONDS);
  await waitFor(() => master.count() - before >= RATE * SECONDS && p.outbox.stats().bytes === 0, 120_000, 'events acked');
  const { profile } = (await session.post('HeapProfiler.getSamplingProfile')) as unknown as { profile: { head: Node } };
  await session.post('HeapProfiler.stopSampling');
  obs.disconnect();
  clearInterval(watch);
  await p.close();
  proxy?.stop();
  const events = RATE * SECONDS;
  const bySite = [...sites(profile.head)].sort((a, b) => b[1] - a[1]);
  const total = bySite.reduce((a, [, b]) => a + b, 0);
  pauses.sort((a, b) => a - b);
  return {
    alloc_bytes_per_event: Math.round(total / events),
    // without the bench's own producer (the event objects, topics and promise callbacks it makes)
    alloc_bytes_per_event_box: Math.round(bySite.filter(([k]) => !k.includes('bench/')).reduce((a, [, b]) => a + b, 0) / events),
    top_sites: Object.fromEntries(bySite.slice(0, 20).map(([k, v]) => [k, Math.round(v / events)])),
    gc: { pauses: pauses.length, p50_ms: +(pct(pauses, 0.5) ?? 0).toFixed(2), total_ms: +pauses.reduce((a, b) => a + b, 0).toFixed(1), max_ms: +(pauses.at(-1) ?? 0).toFixed(2), p90_ms: +(pct(pauses, 0.9) ?? 0).toFixed(2) },
    enqueue_p50_ms: +pct(latencies, 0.5).toFixed(2), enqueue_p99_ms: +pct(latencies, 0.99).toFixed(2),
    ack_delay_ms: ACK_DELAY_MS, inflight_max: inflightMax,
  };
}

/** Heap kept per event held in flight: a broker that never acknowledges, so every event sent stays un-acked. */
async function retainedPerEvent() {
  const broker = await startBroker({ authorizePublish: (_c, packet, cb) => { if (!packet.topic.includes('/evt/')) cb(null); } });
  try {
    const p = await openPipeline(broker.port, undefined, (1 + WINDOWS) * HELD);
    const s0 = p.outbox.stats().inflight;
    const hold = async (n: number) => {
      const pending: Array<Promise<unknown>> = [];
      for (let i = 0; i < HELD; i++) pending.push(p.outbox.enqueue({ topic: topics.event(p.ref, 'bench', 'msg'), class: 'event', data: { ...data, n: n + i } }));
      await Promise.all(pending);
      pending.length = 0; // the producer's promises are not the outbox's
      await waitFor(() => p.outbox.stats().inflight - s0 >= n + HELD, 20_000, 'window in flight');
      await new Promise((r) => setTimeout(r, 200));
      gc(); gc();
      const m = process.memoryUsage();
      return { heap: m.heapUsed, external: m.arrayBuffers };
    };
    // the first window warms (the code on the path compiled, the pools and tables grown); the median of the next
    // ones, each a delta over the one before, is the figure (one window's delta varies by ±150 bytes an event)
    const marks = [await hold(0)];
    for (let w = 1; w <= WINDOWS; w++) marks.push(await hold(w * HELD));
    await p.close();
    const median = (key: 'heap' | 'external') => {
      const deltas = marks.slice(1).map((m, i) => (m[key] - marks[i][key]) / HELD).sort((a, b) => a - b);
      return Math.round(deltas[deltas.length >> 1]);
    };
    return { heap: median('heap'), external: median('external') };
  } finally {
    await broker.stop();
  }
}

const master = await startMaster();
const session = new Session();
session.connect();
try {
  const retained = await retainedPerEvent();
  const run = await measuredRun(master, session);
  process.stdout.write(`${JSON.stringify({ bench: 'outbox-alloc', root, rate: RATE, seconds: SECONDS, ...run, retained_bytes_per_event: retained.heap, retained_external_bytes_per_event: retained.external, held: HELD, load_avg_1m: +loadavg()[0].toFixed(2) })}\n`);
} finally {
  session.disconnect();
  await master.stop();
}
