// `npm run bench -- daemon [runs]`: time from spawning `kefu start` to the retained `state` online at the broker,
// the CPU the process used until then, and the daemon's resident memory after it has been idle, for a minimal box (the build: the bundle in dist/bundle/;
// the per-file build in dist/cli/ run directly, without cli/bin.js's freshness check; from source through tsx) and
// for a box with every plugin. Peers in the same run, interleaved round by round so the load of
// the shared machine falls on all alike: a bare `node -e` (spawn → exit) and a minimal mqtt.js client in a child
// process (spawn → its retained message at the same broker, the floor any Node MQTT daemon pays).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { compiledEntry, ROOT } from '../cli/compiled.js';
import { loadBoxConfig, pluginNames } from '../daemon/builtins.js';
import { createDaemon } from '../daemon/daemon.js';
import { silentLogger } from '../daemon/logger.js';
import { StateMessage } from '../protocol/schemas.js';
import { KEFU_BIN, writeBoxConfig } from '../test/helpers/daemon-process.js';

const runs = Number(process.argv[2] ?? 3);
const IDLE_MS = 10_000; // idle: plugins started, first telemetry sent, GC settled
const PER_FILE = join(ROOT, 'dist', 'cli', 'kefu.js');
if (!compiledEntry()) process.stderr.write('bench daemon: no current build in dist/ (`npm run build`): the "minimal" figure runs from source\n');

const aedes = await Aedes.createBroker();
const server = createServer(aedes.handle);
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const url = `mqtt://127.0.0.1:${(server.address() as { port: number }).port}`;
const watcher = await mqtt.connectAsync(url, { clientId: 'bench-watcher' });

/**
 * CPU (user + system) the process has used so far, in ms: read when `state` arrives, it is the work the process did
 * to go online, which the machine's load stretches much less than the wall time (10 ms ticks).
 */
const cpuMs = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
};
const CLOCK_TICKS = 100; // USER_HZ: 100 on Linux for every architecture we ship to
const rssMb = async (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const timeout = () => sleep(60_000).then(() => NaN);

/** Resolves with the time the first retained message on `topic` for which `accept` holds reaches the watcher. */
async function arrival(topic: string, accept: (payload: Buffer) => boolean): Promise<{ at: Promise<number>; done(): Promise<void> }> {
  await watcher.subscribeAsync(topic);
  let listener!: (t: string, p: Buffer) => void;
  const at = new Promise<number>((resolve) => {
    listener = (t, p) => { if (t === topic && accept(p)) resolve(performance.now()); };
    watcher.on('message', listener);
  });
  return { at, done: async () => { watcher.off('message', listener); await watcher.unsubscribeAsync(topic); } };
}

const stop = async (child: ChildProcess) => {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
};

interface Sample { ms: number; cpu?: number; rss?: number }
type Subject = (round: number) => Promise<Sample>;

const daemon = (variant: string, plugins: Record<string, unknown>, env: NodeJS.ProcessEnv = {}, program = KEFU_BIN): Subject => async (round) => {
  const dir = await mkdtemp(join(tmpdir(), 'kefu-bench-daemon-'));
  const box = `bench-${variant.replaceAll('_', '-')}-${round}`;
  try {
    const file = await writeBoxConfig(dir, { box, region: 'bench', url, password: 'unused', extra: { plugins } });
    const online = await arrival(`kefu/v1/bench/${box}/state`, (p) => StateMessage.safeParse(JSON.parse(p.toString())).data?.online === true);
    const began = performance.now();
    const child = spawn(process.execPath, [program, 'start', '-c', file], { stdio: 'ignore', env: { ...process.env, ...env } });
    const ms = (await Promise.race([online.at, timeout()])) - began;
    const cpu = cpuMs(child.pid!);
    await online.done();
    await sleep(IDLE_MS);
    const rss = await rssMb(child.pid!);
    await stop(child);
    return { ms, cpu, rss };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};

const nodeE: Subject = async () => {
  const began = performance.now();
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await once(child, 'exit');
  return { ms: performance.now() - began };
};

const mqttClient: Subject = async (round) => {
  const topic = `kefu/v1/bench/peer-${round}/state`;
  const online = await arrival(topic, () => true);
  const script = `import mqtt from 'mqtt';
const c = await mqtt.connectAsync(${JSON.stringify(url)}, { clientId: 'peer-${round}' });
await c.publishAsync(${JSON.stringify(topic)}, '{"online":true}', { qos: 1, retain: true });`;
  const began = performance.now();
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, stdio: 'ignore' });
  const ms = (await Promise.race([online.at, timeout()])) - began;
  const cpu = cpuMs(child.pid!);
  await online.done();
  await watcher.publishAsync(topic, '', { retain: true }); // clear it for the next round
  await stop(child);
  return { ms, cpu };
};

const subjects: Record<string, Subject> = {
  node_e: nodeE,
  mqtt_client: mqttClient,
  minimal: daemon('minimal', { system: {} }),
  ...(existsSync(PER_FILE) ? { minimal_per_file: daemon('minimal_per_file', { system: {} }, {}, PER_FILE) } : {}),
  minimal_from_source: daemon('minimal_from_source', { system: {} }, { KEFU_FROM_SOURCE: '1' }),
  all_plugins: daemon('all_plugins', Object.fromEntries(pluginNames.map((name) => [name, {}]))),
};

const samples: Record<string, Sample[]> = Object.fromEntries(Object.keys(subjects).map((k) => [k, []]));
for (let round = 0; round < runs; round++) {
  for (const [name, subject] of Object.entries(subjects)) samples[name].push(await subject(round));
}

const rank = (sorted: number[], q: number) => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
const p50 = (name: string) => rank(samples[name].map((s) => s.ms).sort((a, b) => a - b), 0.5);
const loadAvg = Number((await readFile('/proc/loadavg', 'utf8')).split(' ')[0]);
for (const [variant, list] of Object.entries(samples)) {
  const ms = list.map((s) => Math.round(s.ms));
  const sorted = [...ms].sort((a, b) => a - b);
  const rss = list.flatMap((s) => (s.rss === undefined ? [] : [Math.round(s.rss)]));
  const cpu = list.flatMap((s) => (s.cpu === undefined ? [] : [Math.round(s.cpu)]));
  const cpuSorted = [...cpu].sort((a, b) => a - b);
  process.stdout.write(`${JSON.stringify({
    bench: 'daemon', variant, runs, spawn_to_online_ms: ms, spawn_to_online_ms_p50: rank(sorted, 0.5), spawn_to_online_ms_p95: rank(sorted, 0.95),
    ...(cpu.length ? { cpu_to_online_ms: cpu, cpu_to_online_ms_p50: rank(cpuSorted, 0.5), cpu_to_online_ms_p95: rank(cpuSorted, 0.95) } : {}),
    ...(rss.length ? { idle_rss_mb: rss, idle_rss_mb_max: Math.max(...rss) } : {}),
    ratio_to_node_e: Number((rank(sorted, 0.5) / p50('node_e')).toFixed(2)), ratio_to_mqtt_client: Number((rank(sorted, 0.5) / p50('mqtt_client')).toFixed(2)),
    load_avg_1m: loadAvg,
  })}\n`);
}

// the daemon's own start (modules already loaded): createDaemon + start() → retained state online
{
  const inProcess: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dir = await mkdtemp(join(tmpdir(), 'kefu-bench-daemon-'));
    const box = `bench-inproc-${i}`;
    const online = await arrival(`kefu/v1/bench/${box}/state`, (p) => StateMessage.safeParse(JSON.parse(p.toString())).data?.online === true);
    const config = await loadBoxConfig(await writeBoxConfig(dir, { box, region: 'bench', url, password: 'unused', extra: { plugins: { system: {} } } }));
    const began = performance.now();
    const d = createDaemon(config, silentLogger());
    await d.start();
    inProcess.push(Math.round((await online.at) - began));
    await online.done();
    await d.stop();
    await rm(dir, { recursive: true, force: true });
  }
  process.stdout.write(`${JSON.stringify({ bench: 'daemon', variant: 'in_process_start', runs, start_to_online_ms: inProcess })}\n`);
}
await watcher.endAsync(true);
await new Promise<void>((r) => aedes.close(() => r()));
server.close();
