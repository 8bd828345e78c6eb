// The real box daemon (`kefu start`, the CLI as a box runs it) inside the box namespace, on the three wired veth
// links to a real Mosquitto in the master namespace, with the failover-seq test plugin as its event source. The
// subscriber on the broker's unix socket counts deliveries per envelope id (wire duplicates) and per number
// (effective duplicates after the master's dedupe on the id). Used by the kill -9 e2e test and the bench.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import mqtt from 'mqtt';
import { stringify } from 'yaml';
import { controlRequest } from '../../daemon/control/client.js';
import { topics } from '../../protocol/topics.js';
import { BROKER_IP, LINKS, createNetns, type Netns } from './netns.js';
import { startMosquitto, type Mosquitto } from './mosquitto.js';
import { readConfirmed, SEQ_PLUGIN } from './failover-seq-plugin.js';

const BOX = { region: 'e2e', box: 'box1' };
const BROKER_PORT = 1883;
const KEFU_BIN = join(import.meta.dirname, '..', '..', 'cli', 'bin.js');
const PRELOAD = join(import.meta.dirname, 'failover-seq-preload.ts');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Delivery { n: number; id: string; at: number }
interface TransportStatus { active: string | null; lastSwitch: { at: number; from: string | null; to: string | null; kind: string } | null }

export async function createDaemonFailoverRig(o: { tag: string; failover?: Record<string, unknown>; intervalMs?: number }) {
  const ns: Netns = createNetns(o.tag);
  const dir = await mkdtemp(join(tmpdir(), 'kefu-failover-daemon-'));
  const dataDir = join(dir, 'data');
  const confirmFile = join(dir, 'confirmed.txt');
  const stopFile = join(dir, 'stop');
  let mosq: Mosquitto | null = null;
  let sub: mqtt.MqttClient | null = null;
  let child: ChildProcess | null = null;
  let stderr = '';
  const deliveries: Delivery[] = [];
  const byId = new Map<string, number>();

  async function close(): Promise<void> {
    if (child && child.exitCode === null && child.signalCode === null) { child.kill('SIGKILL'); await once(child, 'exit'); }
    if (sub) await new Promise<void>((r) => sub!.end(true, {}, () => r()));
    await mosq?.stop().catch(() => {});
    ns.teardown();
    await rm(dir, { recursive: true, force: true });
  }

  const configFile = join(dir, 'kefu.yaml');
  try {
    mosq = await startMosquitto({ dir, ns: ns.master, host: BROKER_IP, port: BROKER_PORT });
    const socketPath = mosq.socketPath;
    sub = new mqtt.MqttClient(() => net.connect(socketPath), { clientId: 'e2e-master', clean: true, protocolVersion: 4, protocolId: 'MQTT', keepalive: 30, reconnectPeriod: 200 });
    sub.on('message', (_t, payload) => {
      const env = JSON.parse(payload.toString()) as { id: string; data: { n: number } };
      byId.set(env.id, (byId.get(env.id) ?? 0) + 1);
      deliveries.push({ n: env.data.n, id: env.id, at: Date.now() });
    });
    await new Promise<void>((res, rej) => { sub!.once('connect', () => sub!.subscribe(topics.event(BOX, SEQ_PLUGIN, 'seq'), { qos: 1 }, (err) => (err ? rej(err) : res()))); sub!.once('error', rej); });
    await writeFile(configFile, stringify({
      box: { id: BOX.box, region: BOX.region },
      // the broker is in a namespace the rig made: plain MQTT there is a lab network
      master: { url: `mqtt://${BROKER_IP}:${BROKER_PORT}`, insecure: true, keepaliveSeconds: 2 },
      dataDir, log: { level: 'warn' }, http: { host: '127.0.0.1', port: 0 },
      transports: LINKS.map((l) => ({ id: l.name, kind: 'wired', interface: l.boxIf, localAddress: l.boxIp })),
      failover: { order: LINKS.map((l) => l.name), probe: { standbyIntervalMs: 250 }, ...o.failover },
      plugins: { [SEQ_PLUGIN]: { intervalMs: o.intervalMs ?? 20, confirmFile, stopFile } },
    }));
  } catch (err) {
    await close();
    throw err;
  }

  const control = <T>(method: string, params?: unknown) => controlRequest<T>(dataDir, method, params, 5000);

  /** Spawns `kefu start` in the box namespace; resolves once its control socket answers. */
  async function start(): Promise<{ startMs: number }> {
    const t0 = Date.now();
    const c = spawn('ip', ['netns', 'exec', ns.box, process.execPath, '--import', 'tsx', '--import', PRELOAD, KEFU_BIN, 'start', '-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = c;
    c.stderr!.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
    for (let i = 0; ; i++) {
      if (c.exitCode !== null || c.signalCode !== null) throw new Error(`kefu start exited (${c.exitCode ?? c.signalCode}): ${stderr}`);
      if (await control('status').then(() => true, () => false)) return { startMs: Date.now() - t0 };
      if (i > 300) throw new Error(`kefu start did not answer on its control socket within 30 s: ${stderr}`);
      await sleep(100);
    }
  }

  async function waitUntil<T>(fn: () => T | undefined | false | Promise<T | undefined | false>, what: string, ms: number): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
      if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}; daemon stderr: ${stderr.slice(-800)}`);
      await sleep(25);
    }
  }

  return {
    ns, deliveries, confirmFile, close, start, control,
    pid: () => child?.pid,
    stderr: () => stderr,
    confirmed: () => readConfirmed(confirmFile),
    transports: () => control<TransportStatus>('transports.status'),
    /** waits until the daemon's uplink rides `link` */
    async onLink(link: string, ms = 30_000): Promise<void> {
      await waitUntil(async () => (await control<TransportStatus>('transports.status').catch(() => null))?.active === link, `the daemon on ${link}`, ms);
    },
    /** waits for a delivery of a number above `n` (proves the live daemon publishes) */
    async deliveryAbove(n: number, ms = 30_000): Promise<Delivery> {
      return waitUntil(() => deliveries.find((d) => d.n > n), `a delivery above ${n}`, ms);
    },
    waitUntil,
    async kill9(): Promise<void> {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) throw new Error('kefu start is not running');
      c.kill('SIGKILL');
      await once(c, 'exit');
    },
    /** Stops publishing, waits for every confirmed event, stops the daemon; counts loss and duplicates. */
    async settle(ms = 60_000): Promise<{ confirmed: number; lost: number; wireDups: number; effectiveDups: number; delivered: number }> {
      await writeFile(stopFile, '');
      await sleep(200);
      const want = readConfirmed(confirmFile);
      const seen = () => new Set(deliveries.map((d) => d.n));
      await waitUntil(() => { const s = seen(); return want.every((c) => s.has(c.n)); }, 'every confirmed event at the master', ms).catch(() => {});
      if (child && child.exitCode === null && child.signalCode === null) { child.kill('SIGTERM'); await once(child, 'exit'); }
      const s = seen();
      let wireDups = 0;
      for (const c of byId.values()) wireDups += c - 1;
      const idsPerN = new Map<number, Set<string>>();
      for (const d of deliveries) { const set = idsPerN.get(d.n) ?? new Set(); set.add(d.id); idsPerN.set(d.n, set); }
      let effectiveDups = 0;
      for (const ids of idsPerN.values()) effectiveDups += ids.size - 1;
      return { confirmed: want.length, lost: want.filter((c) => !s.has(c.n)).length, wireDups, effectiveDups, delivered: idsPerN.size };
    },
  };
}

export type DaemonFailoverRig = Awaited<ReturnType<typeof createDaemonFailoverRig>>;
