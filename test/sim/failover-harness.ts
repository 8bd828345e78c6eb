// The failover scenario harness shared by test/e2e/failover.test.ts and bench/failover.ts: namespaces, a real
// Mosquitto in the master namespace, the box runner in the box namespace, a subscriber on the broker's unix
// socket that counts every delivery. Scenario steps return measured times.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { createInterface } from 'node:readline';
import type { ChildProcess } from 'node:child_process';
import mqtt from 'mqtt';
import { BROKER_IP, LINKS, createNetns, type Netns, type NetLink } from './netns.js';
import { startMosquitto, type Mosquitto } from './mosquitto.js';
import type { ManagerOptionsInput } from '../../transports/manager/index.js';
import { startPrivateBus, type PrivateBus } from './dbus-bus.js';
import { startFakeBluez, type FakeBluez } from './fake-bluez.js';

const BLE_PEER = 'AA:BB:CC:DD:EE:01';

const here = dirname(fileURLToPath(import.meta.url));
// the broker lives alone in a namespace the harness made, so a fixed port cannot collide
const BROKER_PORT = 1883;
const TOPIC = 'kefu/e2e/seq';

export type CutKind = 'hard' | 'carrier' | 'silent' | 'loss30' | 'latency';
export interface RunnerLine { t: string; at: number; [k: string]: unknown }

export interface CutResult { detectMs: number; failoverMs: number; reason: string; to: string }

/** `ble`: a fourth link through the fake BlueZ to a `kefu relay ble` process in the master namespace */
/** `latencyMs`: the delay the `latency` cut adds on 5G (each direction), through a delay proxy in the master namespace */
export async function createFailoverHarness(o: { options?: ManagerOptionsInput; tag?: string; ble?: boolean; latencyMs?: number } = {}) {
  const ns: Netns = createNetns(o.tag ?? `${process.pid}`);
  const dir = await mkdtemp(join(tmpdir(), 'kefu-failover-'));
  let mosq: Mosquitto | null = null;
  let runner: ChildProcess | null = null;
  let sub: mqtt.MqttClient | null = null;
  let dbusBus: PrivateBus | null = null;
  let fake: FakeBluez | null = null;
  let relay: ChildProcess | null = null;
  let proxy: ChildProcess | null = null;
  const lines: RunnerLine[] = [];
  const waiters = new Set<() => void>();
  const received = new Map<number, number>();
  let stderr = '';

  async function close(): Promise<void> {
    if (runner && runner.exitCode === null) {
      const exited = new Promise((r) => runner!.once('exit', r));
      runner.stdin?.end();
      const t = setTimeout(() => runner?.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    }
    if (relay && relay.exitCode === null) {
      const exited = new Promise((r) => relay!.once('exit', r));
      relay.kill('SIGTERM');
      const t = setTimeout(() => relay?.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    }
    if (proxy && proxy.exitCode === null) { proxy.kill('SIGTERM'); await new Promise((r) => proxy!.once('exit', r)); }
    await fake?.stop().catch(() => {});
    await dbusBus?.stop().catch(() => {});
    if (sub) await new Promise<void>((r) => sub!.end(true, {}, () => r()));
    await mosq?.stop().catch(() => {});
    ns.teardown();
    await rm(dir, { recursive: true, force: true });
  }

  try {
    mosq = await startMosquitto({ dir, ns: ns.master, host: BROKER_IP, port: BROKER_PORT });
    const socketPath = mosq.socketPath;
    sub = new mqtt.MqttClient(() => net.connect(socketPath), { clientId: 'e2e-sub', clean: true, protocolVersion: 4, protocolId: 'MQTT', keepalive: 30, reconnectPeriod: 200 });
    sub.on('message', (_t, payload) => { const n = Number(payload.toString()); received.set(n, (received.get(n) ?? 0) + 1); });
    await new Promise<void>((res, rej) => { sub!.once('connect', () => sub!.subscribe(TOPIC, { qos: 1 }, (err) => (err ? rej(err) : res()))); sub!.once('error', rej); });

    // 5G always passes a delay proxy in the master namespace (delay 0 until a latency cut), so the cut also
    // slows the connections that are already open
    proxy = ns.spawnIn(ns.master, [process.execPath, '--import', 'tsx', join(here, 'delay-proxy.ts'), '0.0.0.0', `${BROKER_IP}:${BROKER_PORT}`, '0']);
    const proxyPort = await new Promise<number>((resolve, reject) => {
      createInterface({ input: proxy!.stdout! }).once('line', (l) => resolve(Number(l)));
      proxy!.once('exit', () => reject(new Error('delay proxy exited')));
    });
    ns.exec(ns.master, ['nft', `add table ip kefu_nat; add chain ip kefu_nat pre { type nat hook prerouting priority -100; }; add rule ip kefu_nat pre iifname "${ns.link('5g').masterIf}" tcp dport ${BROKER_PORT} redirect to :${proxyPort}`]);
    const links: Array<Record<string, unknown>> = LINKS.map((l) => ({ id: l.name, interface: l.boxIf, localAddress: l.boxIp }));
    if (o.ble) {
      dbusBus = await startPrivateBus(dir);
      fake = await startFakeBluez({ busAddress: dbusBus.address, firstPeerAddress: BLE_PEER });
      relay = ns.spawnIn(ns.master, [process.execPath, join(here, '../../cli/bin.js'), 'relay', 'ble', '--broker', `${BROKER_IP}:${BROKER_PORT}`, '--bus', dbusBus.address]);
      let out = '';
      relay.stdout?.on('data', (b) => { out += b; });
      relay.stderr?.on('data', (b) => { stderr = (stderr + b).slice(-4000); });
      const deadline = Date.now() + 30_000;
      while (!out.includes('BLE relay')) {
        if (relay.exitCode !== null || Date.now() > deadline) throw new Error(`kefu relay ble did not start: ${out} ${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      links.push({ id: 'ble', kind: 'ble', peer: BLE_PEER, busAddress: dbusBus.address });
    }
    const cfg = {
      broker: { host: BROKER_IP, port: BROKER_PORT }, topic: TOPIC,
      // the IP links are wired transports; rank them by id as a box ranks 5G > 4G > Ethernet > Bluetooth
      options: { order: [...LINKS.map((l) => l.name), 'ble'], ...o.options },
      links,
    };
    runner = ns.spawnIn(ns.box, [process.execPath, '--import', 'tsx', join(here, 'box-runner.ts'), JSON.stringify(cfg)]);
    runner.stderr?.on('data', (b) => { stderr = (stderr + b).slice(-4000); });
    createInterface({ input: runner.stdout! }).on('line', (l) => {
      try { lines.push(JSON.parse(l) as RunnerLine); } catch { stderr += `${l}\n`; }
      for (const w of [...waiters]) w();
    });
  } catch (err) {
    await close();
    throw err;
  }

  const send = (c: Record<string, unknown>) => runner!.stdin!.write(`${JSON.stringify(c)}\n`);

  function waitFor<T extends RunnerLine>(pred: (l: RunnerLine) => boolean, timeoutMs: number, what: string, from = 0): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = lines.slice(from).find(pred);
        if (hit) { cleanup(); resolve(hit as T); return true; }
        if (runner?.exitCode !== null) { cleanup(); reject(new Error(`box runner exited while waiting for ${what}: ${stderr}`)); return true; }
        return false;
      };
      const timer = setTimeout(() => { cleanup(); reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last lines: ${JSON.stringify(lines.slice(-5))} stderr: ${stderr.slice(-500)}`)); }, timeoutMs);
      const cleanup = () => { clearTimeout(timer); waiters.delete(check); };
      if (!check()) waiters.add(check);
    });
  }

  function apply(kind: CutKind, link: NetLink['name']): void {
    if (kind === 'hard') ns.linkDown(link);
    else if (kind === 'carrier') ns.carrierLoss(link);
    else if (kind === 'silent') ns.silentDrop(link);
    else if (kind === 'loss30') ns.randomLoss(link, 30);
    else setLatency(o.latencyMs ?? 2000);
  }
  function setLatency(ms: number): void { proxy?.stdin?.write(`delay ${ms}\n`); }

  return {
    ns, lines, received, close,
    stderr: () => stderr,
    waitFor,
    async ready(link: NetLink['name'] = '5g', timeoutMs = 20_000): Promise<void> {
      await waitFor((l) => l.t === 'connect' && l.link === link, timeoutMs, `mqtt connected over ${link}`);
    },
    async status(): Promise<RunnerLine> {
      const from = lines.length;
      send({ cmd: 'status' });
      return waitFor((l) => l.t === 'status', 5000, 'status', from);
    },
    startPublishing(intervalMs = 50): void { send({ cmd: 'publish', intervalMs }); },
    forceSwitch(id: string, timeoutMs: number): void { send({ cmd: 'switch', id, timeoutMs }); },
    fake: () => fake,
    /** Cuts a link and measures detection (cut → switch event) and failover (cut → first PUBACK on the new link). */
    async cut(kind: CutKind, link: NetLink['name'], timeoutMs = 15_000): Promise<CutResult> {
      const from = lines.length;
      const t0 = Date.now();
      apply(kind, link);
      const sw = await waitFor((l) => l.t === 'switch' && l.from === link, timeoutMs, `switch away from ${link} after ${kind} cut`, from);
      const ack = await waitFor((l) => l.t === 'ack' && l.link === sw.to && l.at >= t0, timeoutMs, `first PUBACK over ${String(sw.to)}`, from);
      return { detectMs: (sw.switchAt as number) - t0, failoverMs: ack.at - t0, reason: String(sw.reason), to: String(sw.to) };
    },
    /** Cuts several links at once (e.g. every IP link) and measures the switch to `expectTo`. */
    async cutMany(kind: CutKind, cut: Array<NetLink['name']>, expectTo: string, timeoutMs = 20_000): Promise<CutResult> {
      const from = lines.length;
      const t0 = Date.now();
      for (const l of cut) apply(kind, l);
      const sw = await waitFor((l) => l.t === 'switch' && l.to === expectTo, timeoutMs, `switch to ${expectTo} after cutting ${cut.join(', ')}`, from);
      const ack = await waitFor((l) => l.t === 'ack' && l.link === expectTo && l.at >= t0, timeoutMs, `first PUBACK over ${expectTo}`, from);
      return { detectMs: (sw.switchAt as number) - t0, failoverMs: ack.at - t0, reason: String(sw.reason), to: expectTo };
    },
    /** Undoes a cut and waits for the fail-back; returns the time from restore to the first PUBACK back on it. */
    async restore(kind: CutKind, link: NetLink['name'], timeoutMs = 30_000): Promise<{ failbackMs: number; heldMs: number }> {
      const from = lines.length;
      const t0 = Date.now();
      if (kind === 'silent' || kind === 'loss30') ns.clearNft();
      else if (kind === 'latency') setLatency(0);
      else ns.restore(link);
      const sw = await waitFor((l) => l.t === 'switch' && l.to === link, timeoutMs, `fail-back to ${link}`, from);
      const ack = await waitFor((l) => l.t === 'ack' && l.link === link && l.at >= (sw.switchAt as number), timeoutMs, `PUBACK back over ${link}`, from);
      return { failbackMs: ack.at - t0, heldMs: (sw.switchAt as number) - t0 };
    },
    /** Stops publishing and waits until every message is acked and delivered; counts loss and duplicates. */
    async settle(timeoutMs = 20_000): Promise<{ published: number; lost: number; wireDups: number; effectiveDups: number }> {
      const from = lines.length;
      send({ cmd: 'pause' });
      const paused = await waitFor((l) => l.t === 'paused', 5000, 'pause', from);
      const last = paused.last as number;
      const deadline = Date.now() + timeoutMs;
      const missing = () => { let m = 0; for (let i = 1; i <= last; i++) if (!received.has(i)) m++; return m; };
      while (missing() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      let wireDups = 0;
      for (const [, c] of received) wireDups += c - 1;
      // the subscriber dedupes on the sequence number, as the master dedupes on the envelope id
      return { published: last, lost: missing(), wireDups, effectiveDups: 0 };
    },
  };
}

export type FailoverHarness = Awaited<ReturnType<typeof createFailoverHarness>>;
