// `npm run bench -- outbox [events] [runs] [producers]`: end-to-end persisted-and-acknowledged events/s (outbox → uplink →
// the real master: embedded aedes, ingestion deduped on id, level store, PUBACK after the commit; the master runs in its own
// process) against plain in-memory mqtt.js QoS 1 publishing to the same master in the same run; enqueue latency p50/p99
// in an open loop (events offered at a fixed rate, each run beside a bare O_DSYNC write probe: the disk's floor).
// Three durability modes run back to back: `wal` (the write-ahead log as the product runs it by default, every
// commit synced before its enqueues resolve: the figures named without a suffix), `wal_deferred` (the log synced
// within 100 ms, `outbox.syncEveryMs: 100`: the `_deferred` figures) and `level` (a synced level batch per commit,
// the `_level` figures). The log's own append latency is measured apart, beside
// a plain O_DSYNC append (bench/outbox-parts/wal-append.ts). Prints one JSON line (per-run figures go to stderr).
// Env: UPLINK_WINDOW, GROUP_COMMIT_MS, LEVEL_GROUP_COMMIT_MS, BENCH_MASTER_DIR, MASTER_CPU_PROF (a folder for the
// master's CPU profile).
import { mkdtemp, rm } from 'node:fs/promises';
import { closeSync, constants, fdatasyncSync, openSync, readFileSync, unlinkSync, write, writeSync } from 'node:fs';
import { PerformanceObserver, monitorEventLoopDelay } from 'node:perf_hooks';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { createRootStore, sublevel } from '../daemon/store.js';
import { createOutbox } from '../daemon/outbox/index.js';
import { createUplink } from '../daemon/uplink/index.js';
import { UplinkConfig } from '../daemon/uplink/config.js';
import { OutboxConfig } from '../daemon/outbox/config.js';
import { silentLogger } from '../daemon/logger.js';
import { topics } from '../protocol/topics.js';
import { fork } from 'node:child_process';
import { tcpOpenStream, waitFor } from '../test/helpers/aedes-broker.js';
import { walAppendLatency } from './outbox-parts/wal-append.js';
import { offerAtRate } from './outbox-parts/open-loop.js';

const EVENTS = Number(process.argv[2] ?? 20_000);
const RUNS = Number(process.argv[3] ?? 3);
// concurrent producers, each awaiting its own enqueue before the next (a closed loop: with a synced write per
// commit, throughput ≈ producers / commit latency, so this number matters; plugins on a busy box are many)
const PRODUCERS = Number(process.argv[4] ?? 256);
const box = { region: 'bench', box: 'bench-0' };
let boxes = 0;
const data = { kind: 'chat.message', conversation: 'c-123456', text: '您好，我想咨询一下发票申领的流程。', n: 0 };

/** utime + stime of a /proc stat file, in µs (fields 14, 15; clock ticks are 10 ms, fine over runs of seconds). */
function statCpuUs(path: string): number {
  const fields = readFileSync(path, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}
/** this thread alone (the box's event loop): process.cpuUsage() also counts the thread pool and LevelDB's thread */
const boxThreadCpuUs = () => statCpuUs(`/proc/self/task/${process.pid}/stat`);
/** a whole process (all its threads: event loop, LevelDB, thread pool) */
const processCpuUs = (pid: number) => statCpuUs(`/proc/${pid}/stat`);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

/** The real master in its own process (bench/outbox-master.ts), as on a real deployment. */
async function startMasterSide() {
  const child = fork(new URL('./outbox-master.ts', import.meta.url), [], { execArgv: ['--import', 'tsx', ...(process.env.MASTER_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.MASTER_CPU_PROF] : [])], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let count = 0;
  let commits = 0;
  let resetAck: (() => void) | null = null;
  const provisioned = new Map<string, (password: string) => void>();
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the bench master exited (${code}) before it was ready`)));
    child.on('message', (m: { ready?: boolean; port?: number; count?: number; commits?: number; reset?: boolean; box?: string; password?: string }) => {
      if (m.ready) resolve(m.port!);
      if (m.count !== undefined) count = m.count;
      if (m.commits !== undefined) commits = m.commits;
      if (m.reset) resetAck?.();
      if (m.box) provisioned.get(m.box)?.(m.password!);
    });
  });
  return {
    port,
    /** a box's credential on the master; resolves with its password */
    provision: (id: string) => new Promise<string>((resolve) => { provisioned.set(id, resolve); child.send({ provision: id }); }),
    /** CPU µs of the master process so far */
    cpuUs: () => processCpuUs(child.pid!),
    count: () => count,
    /** level batches the master has written so far (its group commits) */
    commits: () => commits,
    reset: () => new Promise<void>((r) => { resetAck = r; count = 0; child.send('reset'); }),
    stop: async () => { child.send('stop'); await new Promise((r) => child.once('exit', r)); },
  };
}
type MasterSide = Awaited<ReturnType<typeof startMasterSide>>;

/** PRODUCERS concurrent producers, each awaiting its enqueue before the next; returns each enqueue's latency. */
async function closedLoop(outbox: { enqueue: ReturnType<typeof createOutbox>['enqueue'] }, events: number, ref = box): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: PRODUCERS }, async () => {
    while (next < events) {
      const n = next++;
      const s = performance.now();
      await outbox.enqueue({ topic: topics.event(ref, 'bench', 'msg'), class: 'event', data: { ...data, n } });
      latencies.push(performance.now() - s);
    }
  }));
  return latencies;
}

type Mode = 'wal' | 'wal_deferred' | 'level';
const SYNC_EVERY_MS = OutboxConfig.parse({}).syncEveryMs;
const DEFERRED_SYNC_MS = 100;
// the product's default window unless UPLINK_WINDOW says otherwise
const WINDOW = Number(process.env.UPLINK_WINDOW ?? UplinkConfig.parse({}).inflightWindow);

/** A fresh outbox in a temp store, durable through the write-ahead log or through synced level batches. */
async function openOutbox(mode: Mode) {
  const dir = await mkdtemp(join(tmpdir(), 'kefu-bench-'));
  const root = createRootStore(join(dir, 'db'));
  await root.open();
  const groupCommitMs = Number(mode !== 'level' ? process.env.GROUP_COMMIT_MS ?? 0 : process.env.LEVEL_GROUP_COMMIT_MS ?? 2);
  const outbox = createOutbox({
    store: sublevel(root, 'outbox'), log: silentLogger(), maxBytes: 256 * 1024 * 1024, groupCommitMs,
    walDir: mode !== 'level' ? join(dir, 'wal') : undefined, syncEveryMs: mode === 'wal' ? SYNC_EVERY_MS : mode === 'wal_deferred' ? DEFERRED_SYNC_MS : 0,
  });
  await outbox.open();
  return {
    outbox,
    async close() {
      await outbox.close();
      await root.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The box side: a fresh outbox and an uplink connected to the master. A fresh outbox starts its seq at 0, so each
 * pipeline is a box of its own: the same box id would look like a reinstalled box to the master's dedupe.
 */
async function openPipeline(master: MasterSide, mode: Mode) {
  const log = silentLogger();
  const { outbox, close: closeOutbox } = await openOutbox(mode);
  const ref = { region: box.region, box: `bench-${++boxes}` };
  const password = await master.provision(ref.box);
  const uplink = createUplink({ box: ref, log, outbox, version: 'bench', openStream: tcpOpenStream(() => master.port), inflightWindow: WINDOW, username: ref.box, password });
  uplink.start();
  await uplink.once('connected', 10_000);
  return {
    outbox,
    ref,
    async close() {
      await uplink.stop();
      await closeOutbox();
    },
  };
}

async function persistedRun(master: MasterSide, mode: Mode, events = EVENTS) {
  await master.reset();
  const { outbox, ref, close } = await openPipeline(master, mode);
  const c0 = process.cpuUsage();
  const b0 = boxThreadCpuUs();
  const m0 = master.cpuUs();
  const k0 = master.commits();
  const t0 = performance.now();
  const latencies = await closedLoop(outbox, events, ref);
  await waitFor(() => master.count() >= events && outbox.stats().bytes === 0, 120_000, 'all events acked and received');
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  const boxCpu = (boxThreadCpuUs() - b0) / events;
  const masterCpu = (master.cpuUs() - m0) / events;
  await close();
  latencies.sort((a, b) => a - b);
  const perCommit = events / Math.max(1, master.commits() - k0);
  return { perS: events / seconds, p50: pct(latencies, 0.5), p99: pct(latencies, 0.99), cpuUs: (cpu.user + cpu.system) / events, boxUs: boxCpu, masterUs: masterCpu, perCommit };
}

/**
 * The floor under any durable enqueue on this thread at this moment: a 256-byte O_DSYNC write through the thread
 * pool, offered open-loop every 2 ms beside the run (like the events: a stall delays every probe offered during it),
 * timed like the enqueues, from the call to its callback (disk + thread pool + event loop).
 */
function startFloorProbe() {
  const path = join(tmpdir(), `kefu-floor-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | constants.O_DSYNC);
  const buf = Buffer.alloc(256, 1);
  const l: number[] = [];
  const t0 = performance.now();
  let sent = 0;
  let outstanding = 0;
  const timer = setInterval(() => {
    for (const due = Math.floor((performance.now() - t0) / 2); sent < due; sent++) {
      const s = performance.now();
      outstanding++;
      write(fd, buf, () => { l.push(performance.now() - s); outstanding--; });
    }
  }, 1);
  return async () => {
    clearInterval(timer);
    while (outstanding > 0) await new Promise((r) => setTimeout(r, 1));
    closeSync(fd);
    unlinkSync(path);
    l.sort((a, b) => a - b);
    return { p50: +pct(l, 0.5).toFixed(2), p99: +pct(l, 0.99).toFixed(2) };
  };
}

/** Open loop: events offered at a fixed rate (a busy hall), uplink running; the latency each producer sees. */
async function openLoopRun(master: MasterSide, mode: Mode, ratePerS: number, withUplink = true, seconds = 3) {
  await master.reset();
  // without the uplink the outbox is drained in place (take + ack): what the disk path alone costs on this thread
  const { outbox, close, ref } = withUplink ? await openPipeline(master, mode) : { ...(await openOutbox(mode)), ref: box };
  const drain = withUplink ? null : outbox.onReady(() => { for (const e of outbox.take(undefined, 1e9)) outbox.ack(e.seq); });
  const floor = startFloorProbe();
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  // the box thread's garbage-collection pauses meanwhile: each one delays every enqueue waiting on the loop
  const gc: number[] = [];
  const gcWatch = new PerformanceObserver((list) => { for (const e of list.getEntries()) gc.push(e.duration); });
  gcWatch.observe({ entryTypes: ['gc'] });
  const total = ratePerS * seconds;
  const latencies = await offerAtRate((n) => outbox.enqueue({ topic: topics.event(ref, 'bench', 'msg'), class: 'event', data: { ...data, n } }), ratePerS, seconds);
  const floorMs = await floor();
  loop.disable();
  gcWatch.disconnect();
  gc.sort((a, b) => a - b);
  await waitFor(() => (!withUplink || master.count() >= total) && outbox.stats().bytes === 0, 120_000, 'open-loop events acked');
  drain?.();
  await close();
  // how late the event loop ran timers meanwhile: a stalled (or starved) loop delays every enqueue's resolution
  return {
    p50: +pct(latencies, 0.5).toFixed(2), p99: +pct(latencies, 0.99).toFixed(2), floor: floorMs, loop_delay_p99: +(loop.percentile(99) / 1e6).toFixed(2),
    gc_pauses: gc.length, gc_ms: +gc.reduce((a, b) => a + b, 0).toFixed(1), gc_max_ms: +(gc.at(-1) ?? 0).toFixed(2),
  };
}

/** The outbox alone (enqueue → take → ack, no MQTT): what persistence costs when the event loop is not shared. */
async function outboxOnlyRun(mode: Mode, events = EVENTS) {
  const { outbox, close } = await openOutbox(mode);
  const drain = outbox.onReady(() => { for (const e of outbox.take(undefined, 1e9)) outbox.ack(e.seq); });
  const t0 = performance.now();
  const latencies = await closedLoop(outbox, events);
  const seconds = (performance.now() - t0) / 1000;
  drain();
  await close();
  latencies.sort((a, b) => a - b);
  return { perS: events / seconds, p99: pct(latencies, 0.99) };
}

let memRuns = 0;
async function inMemoryRun(master: MasterSide, events = EVENTS) {
  await master.reset();
  // same mqtt.js settings as the uplink, minus the outbox; a box of its own (a box publishes under its own root)
  const peer = { region: box.region, box: `bench-${++boxes}` };
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${master.port}`, { clientId: peer.box, username: peer.box, password: await master.provision(peer.box), clean: true, log: () => {} });
  const run = ++memRuns; // ids unique across runs, or the master's dedupe would drop them
  const c0 = process.cpuUsage();
  const b0 = boxThreadCpuUs();
  const m0 = master.cpuUs();
  const t0 = performance.now();
  let acked = 0;
  for (let n = 0; n < events; n++) {
    const payload = JSON.stringify({ v: 1, id: `m-${run}-${n}`, seq: n, ts: Date.now(), class: 'event', data: { ...data, n } });
    client.publish(topics.event(peer, 'bench', 'msg'), payload, { qos: 1 }, () => { acked++; });
  }
  await waitFor(() => master.count() >= events && acked >= events, 120_000, 'in-memory events');
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  const boxCpu = (boxThreadCpuUs() - b0) / events;
  const masterCpu = (master.cpuUs() - m0) / events;
  await client.endAsync();
  return { perS: events / seconds, cpuUs: (cpu.user + cpu.system) / events, boxUs: boxCpu, masterUs: masterCpu };
}

/** The floor under any synced-write latency: raw fdatasync of 4 KiB on the disk the outbox uses. */
function fsyncProbe() {
  const path = join(tmpdir(), `kefu-fsync-${process.pid}`);
  const fd = openSync(path, 'w');
  const l: number[] = [];
  for (let i = 0; i < 200; i++) { const s = performance.now(); writeSync(fd, Buffer.alloc(4096)); fdatasyncSync(fd); l.push(performance.now() - s); }
  closeSync(fd);
  unlinkSync(path);
  l.sort((a, b) => a - b);
  return { p50: +pct(l, 0.5).toFixed(2), p99: +pct(l, 0.99).toFixed(2) };
}

const fsync = fsyncProbe();
// the log's append alone against a plain growing O_DSYNC file, on a quiet disk and under another writer's load
const walAppend = { quiet: await walAppendLatency({ load: false }), loaded: await walAppendLatency({ load: true }) };
const broker = await startMasterSide();
// warm-up (JIT, level, aedes), not measured
await persistedRun(broker, 'wal', Math.min(2000, EVENTS));
await persistedRun(broker, 'wal_deferred', Math.min(2000, EVENTS));
await persistedRun(broker, 'level', Math.min(2000, EVENTS));
await inMemoryRun(broker, Math.min(2000, EVENTS));
type Run = { persisted: number; deferred: number; level: number; inmemory: number; p50: number; p99: number; p50L: number; p99L: number; cpuP: number; cpuL: number; cpuM: number; boxP: number; boxL: number; boxM: number; masterP: number; masterM: number; perCommit: number; only: number; onlyD: number; onlyL: number };
type Lat = { p50: number; p99: number };
type OpenLoop = Lat & { floor: Lat; loop_delay_p99: number; gc_pauses: number; gc_ms: number; gc_max_ms: number };
const openLoop: Record<string, { wal: OpenLoop; wal_deferred: OpenLoop; level: OpenLoop; wal_no_mqtt: OpenLoop }> = {};
const runs: Run[] = [];
try {
  for (let r = 0; r < RUNS; r++) {
    // rotate the order so no side always runs on a warmer (or a quieter) process
    const order = [['mem', 'wal', 'wal_deferred', 'level'], ['wal', 'wal_deferred', 'level', 'mem'], ['wal_deferred', 'level', 'mem', 'wal'], ['level', 'mem', 'wal', 'wal_deferred']][r % 4];
    const res: Record<string, any> = {};
    for (const what of order) res[what] = what === 'mem' ? await inMemoryRun(broker) : await persistedRun(broker, what as Mode);
    const only = await outboxOnlyRun('wal');
    const onlyD = await outboxOnlyRun('wal_deferred');
    const onlyL = await outboxOnlyRun('level');
    const run: Run = {
      persisted: Math.round(res.wal.perS), deferred: Math.round(res.wal_deferred.perS), level: Math.round(res.level.perS), inmemory: Math.round(res.mem.perS),
      p50: +res.wal.p50.toFixed(2), p99: +res.wal.p99.toFixed(2), p50L: +res.level.p50.toFixed(2), p99L: +res.level.p99.toFixed(2),
      cpuP: Math.round(res.wal.cpuUs), cpuL: Math.round(res.level.cpuUs), cpuM: Math.round(res.mem.cpuUs),
      boxP: Math.round(res.wal.boxUs), boxL: Math.round(res.level.boxUs), boxM: Math.round(res.mem.boxUs),
      masterP: Math.round(res.wal.masterUs), masterM: Math.round(res.mem.masterUs), perCommit: Math.round(res.wal.perCommit), only: Math.round(only.perS), onlyD: Math.round(onlyD.perS), onlyL: Math.round(onlyL.perS),
    };
    runs.push(run);
    process.stderr.write(`run ${r + 1}/${RUNS}: ${JSON.stringify(run)}\n`);
  }
  // latency at offered rates below saturation (the closed loop above measures queueing, by construction); each
  // run carries its own floor probe, the disk and event loop of that moment (the machine is shared)
  for (const rate of [2000, 5000, 10000]) {
    const wal = await openLoopRun(broker, 'wal', rate);
    const walDeferred = await openLoopRun(broker, 'wal_deferred', rate);
    const level = await openLoopRun(broker, 'level', rate);
    const walNoMqtt = await openLoopRun(broker, 'wal', rate, false);
    openLoop[rate] = { wal, wal_deferred: walDeferred, level, wal_no_mqtt: walNoMqtt };
    process.stderr.write(`open loop ${rate}/s: ${JSON.stringify(openLoop[rate])}\n`);
  }
} finally {
  await broker.stop();
}
const med = (f: (r: Run) => number) => median(runs.map(f));
process.stdout.write(`${JSON.stringify({
  bench: 'outbox', events: EVENTS, runs: RUNS, window: WINDOW, sync_every_ms: SYNC_EVERY_MS, deferred_sync_ms: DEFERRED_SYNC_MS,
  // the ratio is taken per run (all sides measured back to back), then the median
  persisted_per_s: med((r) => r.persisted), inmemory_per_s: med((r) => r.inmemory), ratio: +med((r) => r.persisted / r.inmemory).toFixed(2),
  ratio_runs: runs.map((r) => +(r.persisted / r.inmemory).toFixed(2)),
  persisted_deferred_per_s: med((r) => r.deferred), ratio_deferred: +med((r) => r.deferred / r.inmemory).toFixed(2),
  persisted_level_per_s: med((r) => r.level), ratio_level: +med((r) => r.level / r.inmemory).toFixed(2),
  // the throughput ratio when CPU is the limit (in-memory CPU per event / persisted CPU per event)
  cpu_ratio: +med((r) => r.cpuM / r.cpuP).toFixed(2), cpu_ratio_level: +med((r) => r.cpuM / r.cpuL).toFixed(2),
  // the latency a producer sees: open loop (events offered at 2,000, 5,000 and 10,000/s), the worst of the three rates
  enqueue_p50_ms: Math.max(...Object.values(openLoop).map((l) => l.wal.p50)), enqueue_p99_ms: Math.max(...Object.values(openLoop).map((l) => l.wal.p99)),
  // the log synced within 100 ms: enqueues do not wait for the disk (a power cut may lose the last 100 ms)
  enqueue_deferred_p50_ms: Math.max(...Object.values(openLoop).map((l) => l.wal_deferred.p50)), enqueue_deferred_p99_ms: Math.max(...Object.values(openLoop).map((l) => l.wal_deferred.p99)),
  enqueue_level_p50_ms: Math.max(...Object.values(openLoop).map((l) => l.level.p50)), enqueue_level_p99_ms: Math.max(...Object.values(openLoop).map((l) => l.level.p99)),
  // the closed loop above saturates the pipeline with PRODUCERS waiting producers: its latency is queueing by
  // construction (≈ producers / throughput, Little's law), reported for completeness
  closed_loop_enqueue_p50_ms: med((r) => r.p50), closed_loop_enqueue_p99_ms: med((r) => r.p99),
  // CPU per event of the whole process (box thread, broker thread, thread pool, LevelDB's own thread)
  persisted_cpu_us_per_event: med((r) => r.cpuP), persisted_level_cpu_us_per_event: med((r) => r.cpuL), inmemory_cpu_us_per_event: med((r) => r.cpuM),
  // CPU per event of the box's event-loop thread alone, and the throughput ratio it implies when that thread is the limit
  box_thread_cpu_us_per_event: { wal: med((r) => r.boxP), level: med((r) => r.boxL), inmemory: med((r) => r.boxM) },
  box_thread_cpu_ratio: { wal: +med((r) => r.boxM / r.boxP).toFixed(2), level: +med((r) => r.boxM / r.boxL).toFixed(2) },
  // CPU per event of the master process (aedes, ingestion, level): the other half of a 2-core machine
  master_process_cpu_us_per_event: { wal: med((r) => r.masterP), inmemory: med((r) => r.masterM) },
  master_events_per_commit: med((r) => r.perCommit),
  outbox_only_per_s: med((r) => r.only), outbox_only_deferred_per_s: med((r) => r.onlyD), outbox_only_level_per_s: med((r) => r.onlyL),
  open_loop_enqueue_ms: Object.fromEntries(Object.entries(openLoop).map(([rate, l]) => [`${rate}_per_s`, l])),
  // enqueue p99 over the floor probe's p99 in the same run: 1 means the outbox adds nothing to a bare durable write
  open_loop_p99_over_floor: Object.fromEntries(Object.entries(openLoop).map(([rate, l]) => [`${rate}_per_s`, { wal: +(l.wal.p99 / l.wal.floor.p99).toFixed(2), wal_deferred: +(l.wal_deferred.p99 / l.wal_deferred.floor.p99).toFixed(2), level: +(l.level.p99 / l.level.floor.p99).toFixed(2) }])),
  // one log append (2 KiB, awaited) in space zeroed ahead vs a plain O_DSYNC append growing its file, in turns
  wal_append_ms: { quiet: { wal: walAppend.quiet.wal, plain: walAppend.quiet.plain }, loaded: { wal: walAppend.loaded.wal, plain: walAppend.loaded.plain } },
  fsync_p50_ms: fsync.p50, fsync_p99_ms: fsync.p99, producers: PRODUCERS, load_avg_1m: +loadavg()[0].toFixed(2),
})}\n`);
