// Master ingestion, end to end: boxes (a child process of mqtt.js clients, QoS 1, an outbox-like window of
// unacknowledged messages) → broker → the master validates, dedupes and stores each event in level.
// `persisted_per_s` counts from the first publish to the last event committed to level. The peer of every
// run is a bare mqtt.js QoS 1 subscriber in the master's process on the same broker, fed by the same
// box process (same count, same payloads): broker + client cost without ingestion.
// Scenarios: ingest-only (the master's pipeline fed without MQTT; peer: bare level batches of the same
// events), embedded (aedes inside the master process, the default), broker-process (the same broker in a
// process of its own, the master connected to it as external broker), mosquitto (external Mosquitto).
// Usage: npm run bench -- master-ingest [events=20000] [runs=3] [scenarios=all] [boxes=4]
// Profiles: node --cpu-prof --import tsx bench/index.ts master-ingest … (+ MASTER_INGEST_PROFILE_DIR for the children)
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import { createMaster, type Master } from '../master/index.js';
import { mosquittoAcl } from '../master/broker/policy.js';
import { createCredentialStore, ensureServiceCredential } from '../master/credentials/credential-store.js';
import { topics } from '../protocol/topics.js';
import { startMosquitto } from '../test/sim/mosquitto.js';
import { cpuUs, ingestOnly } from './master-ingest-parts/pipeline.js';

const here = dirname(fileURLToPath(import.meta.url));
const events = Number(process.argv[2] ?? 20000);
const runs = Number(process.argv[3] ?? 3);
const scenarios = (process.argv[4] ?? 'ingest-only,embedded,broker-process,mosquitto').split(',');
const boxCount = Number(process.argv[5] ?? 4);
const WINDOW = 200; // unacknowledged publishes per box connection
const region = 'bench';
const boxIds = Array.from({ length: boxCount }, (_, i) => `hall-${String(i + 1).padStart(2, '0')}`);

interface PubClient { url: string; clientId: string; username: string; password: string; topic: string }

function line(o: Record<string, unknown>) { process.stdout.write(`${JSON.stringify({ bench: 'master-ingest', ...o })}\n`); }
const perS = (n: number, ms: number) => Math.round(n / (ms / 1000));
const us = (cpu: number, n: number) => Number((cpu / n).toFixed(1));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function startChild(file: string, args: string[] = []): Promise<ChildProcess> {
  // MASTER_INGEST_PROFILE_DIR=dir: CPU profiles of the helper processes too (run the bench itself with --cpu-prof)
  const prof = process.env.MASTER_INGEST_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.MASTER_INGEST_PROFILE_DIR}`] : [];
  const child = fork(join(here, file), args, { execArgv: ['--import', 'tsx', ...prof], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return child;
}

function nextMessage<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`bench child exited (${code})`));
    child.once('exit', onExit);
    child.once('message', (m: T & { error?: string }) => {
      child.off('exit', onExit);
      if (m.error) reject(new Error(m.error)); else resolve(m);
    });
  });
}

/** Publishes `events` in total from the box process; resolves with the start time once every client is connected and publishing began. */
async function publish(boxes: ChildProcess, clients: PubClient[], idPrefix: string): Promise<{ t0: number; done: Promise<{ cpuUs: number }> }> {
  boxes.send({ cmd: 'run', clients, perClient: Math.ceil(events / clients.length), window: WINDOW, idPrefix });
  await nextMessage(boxes); // ready: connected
  const t0 = performance.now();
  boxes.send({ cmd: 'go' });
  return { t0, done: nextMessage(boxes) };
}

async function waitUntil(fn: () => boolean, timeoutMs = 300_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > end) throw new Error('bench timed out');
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function connect(url: string, clientId: string, username: string, password: string): Promise<MqttClient> {
  const c = mqtt.connect(url, { clientId, username, password, reconnectPeriod: 0 });
  await new Promise<void>((resolve, reject) => { c.once('connect', () => resolve()); c.once('error', reject); });
  return c;
}

interface Topology {
  url: string; master: Master; service: string; passwords: Record<string, string>; stop(): Promise<void>;
  /** CPU µs used so far by a broker running in a process of its own */
  brokerCpuUs?: () => Promise<number>;
}

/** utime + stime of a process from /proc, in µs (clock ticks of 10 ms: fine over a run of seconds) */
async function procCpuUs(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

async function provision(dir: string) {
  const store = createCredentialStore({ dataDir: dir });
  const service = await ensureServiceCredential(store, join(dir, 'service.secret'), 'kefu-master');
  const passwords: Record<string, string> = {};
  for (const id of boxIds) passwords[id] = (await store.addBox(id, region)).password;
  return { store, service, passwords };
}

async function topology(kind: string, dir: string): Promise<Topology> {
  const http = { host: '127.0.0.1', port: 0 };
  if (kind === 'embedded') {
    const master = createMaster({ dataDir: dir, broker: { tcp: { host: '127.0.0.1', port: 0 }, connectRate: { perWindow: 1000, windowMs: 1000 } }, http });
    const urls = await master.start();
    const passwords: Record<string, string> = {};
    for (const id of boxIds) passwords[id] = (await master.credentials.addBox(id, region)).password;
    const service = (await readFile(join(dir, 'service.secret'), 'utf8')).trim();
    return { url: urls.mqtt!, master, service, passwords, stop: () => master.stop() };
  }
  const brokerDir = join(dir, 'broker');
  const { store, service, passwords } = await provision(brokerDir);
  let url: string;
  let stopBroker: () => Promise<void>;
  let brokerPid = 0;
  if (kind === 'broker-process') {
    const child = await startChild('master-ingest-parts/broker.ts', [brokerDir]);
    const { port } = await nextMessage<{ port: number }>(child);
    url = `mqtt://127.0.0.1:${port}`;
    stopBroker = async () => { const exited = once(child, 'exit'); child.disconnect(); await exited; };
    brokerPid = child.pid!;
  } else {
    // unlimited in-flight and queued messages for the master's session: the defaults (20, 1000) drop QoS 1 bursts
    const mosq = await startMosquitto({ passwordLines: await store.mosquittoPasswordLines(), acl: mosquittoAcl(await store.principals()), conf: ['max_inflight_messages 0', 'max_queued_messages 0'] });
    url = mosq.url;
    stopBroker = mosq.stop;
    brokerPid = mosq.proc.pid!;
  }
  const master = createMaster({ dataDir: join(dir, 'master'), external: { url, username: 'kefu-master', passwordFile: join(brokerDir, 'service.secret') }, http });
  try {
    await master.start();
  } catch (err) {
    await stopBroker();
    throw err;
  }
  return { url, master, service, passwords, stop: async () => { await master.stop(); await stopBroker(); }, brokerCpuUs: () => procCpuUs(brokerPid) };
}

async function endToEnd(kind: string, run: number, boxes: ChildProcess) {
  const dir = await mkdtemp(join(tmpdir(), 'kefu-bench-'));
  const t = await topology(kind, dir);
  try {
    const total = Math.ceil(events / boxIds.length) * boxIds.length;
    // peer: the same traffic to a bare subscriber, published with the service credential (a box may only publish under its own root)
    const peer = await connect(t.url, 'kefu-master-peer-sub', 'kefu-master', t.service);
    let peerCount = 0;
    peer.on('message', () => { peerCount++; });
    await peer.subscribeAsync('bench/peer/#', { qos: 1 });
    const peerClients = boxIds.map((id, i) => ({ url: t.url, clientId: `kefu-master-peer-${i}`, username: 'kefu-master', password: t.service, topic: `bench/peer/${id}/chat/message` }));
    let c0 = process.cpuUsage();
    let b0 = await t.brokerCpuUs?.();
    const p = await publish(boxes, peerClients, `p${run}`);
    await waitUntil(() => peerCount >= total);
    const peerMs = performance.now() - p.t0;
    const peerCpu = cpuUs(c0);
    const peerBroker = b0 === undefined ? undefined : (await t.brokerCpuUs!()) - b0;
    const peerBoxes = (await p.done).cpuUs;
    await peer.endAsync();

    const boxClients = boxIds.map((id) => ({ url: t.url, clientId: id, username: id, password: t.passwords[id], topic: topics.event({ region, box: id }, 'chat', 'message') }));
    c0 = process.cpuUsage();
    b0 = await t.brokerCpuUs?.();
    const m = await publish(boxes, boxClients, `e${run}`);
    await waitUntil(() => t.master.stats().ingest.events >= total);
    const masterMs = performance.now() - m.t0;
    const masterCpu = cpuUs(c0);
    const masterBroker = b0 === undefined ? undefined : (await t.brokerCpuUs!()) - b0;
    const masterBoxes = (await m.done).cpuUs;

    const d = await publish(boxes, boxClients, `e${run}`); // the same ids again: an outbox replay, all duplicates
    await waitUntil(() => t.master.stats().ingest.duplicates >= total);
    const dupMs = performance.now() - d.t0;
    await d.done;
    const stored = (await t.master.events.list(boxIds[0], { limit: 1000 })).length;
    const s = t.master.stats().ingest;
    const out = {
      scenario: kind, run, boxes: boxIds.length, events: total,
      persisted_per_s: perS(total, masterMs), peer_plain_subscriber_per_s: perS(total, peerMs),
      ratio: Number((peerMs / masterMs).toFixed(2)), duplicates_per_s: perS(total, dupMs),
      // CPU of the master's process per event (broker included when embedded), against the same process running the bare subscriber
      master_cpu_us_per_event: us(masterCpu, total), peer_cpu_us_per_event: us(peerCpu, total),
      // the rest of the chain, for the CPU budget: the box process, and the broker when it runs apart
      boxes_cpu_us_per_event: us(masterBoxes, total), peer_boxes_cpu_us_per_event: us(peerBoxes, total),
      ...(masterBroker === undefined ? {} : { broker_cpu_us_per_event: us(masterBroker, total), peer_broker_cpu_us_per_event: us(peerBroker!, total) }),
      stored_events: s.events, duplicates: s.duplicates, rejected: s.rejectedTotal, listed_first_box: stored,
    };
    line(out);
    return out;
  } finally {
    await t.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

const summary: Record<string, Array<{ persisted_per_s: number; ratio: number; peer: number; cpu: number; peerCpu: number }>> = {};
const boxes = await startChild('master-ingest-parts/boxes.ts');
await nextMessage(boxes); // up
try {
  for (let run = 1; run <= runs; run++) {
    for (const kind of scenarios) {
      if (kind === 'ingest-only') {
        const r = await ingestOnly(events);
        line({
          scenario: kind, run, events, persisted_per_s: r.masterPerS, peer_level_batch_per_s: r.peerPerS, ratio: Number((r.masterPerS / r.peerPerS).toFixed(2)), duplicates_per_s: r.duplicatesPerS,
          master_cpu_us_per_event: r.masterCpuUsPerEvent, peer_cpu_us_per_event: r.peerCpuUsPerEvent, one_core_capacity_per_s: Math.round(1e6 / r.masterCpuUsPerEvent),
        });
        (summary[kind] ??= []).push({ persisted_per_s: r.masterPerS, ratio: r.masterPerS / r.peerPerS, peer: r.peerPerS, cpu: r.masterCpuUsPerEvent, peerCpu: r.peerCpuUsPerEvent });
      } else {
        const r = await endToEnd(kind, run, boxes);
        (summary[kind] ??= []).push({ persisted_per_s: r.persisted_per_s, ratio: r.ratio, peer: r.peer_plain_subscriber_per_s, cpu: r.master_cpu_us_per_event, peerCpu: r.peer_cpu_us_per_event });
      }
    }
  }
  for (const [kind, rs] of Object.entries(summary)) {
    line({
      scenario: kind, summary: true, runs: rs.length, events, median_persisted_per_s: median(rs.map((r) => r.persisted_per_s)), median_peer_per_s: median(rs.map((r) => r.peer)), median_ratio: Number(median(rs.map((r) => r.ratio)).toFixed(2)),
      median_master_cpu_us_per_event: median(rs.map((r) => r.cpu)), median_peer_cpu_us_per_event: median(rs.map((r) => r.peerCpu)),
    });
  }
} finally {
  boxes.kill();
}
