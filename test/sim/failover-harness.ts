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
import { createModemSim, type ModemSim } from './modem-sim.js';

const BLE_PEER = 'AA:BB:CC:DD:EE:01';

const here = dirname(fileURLToPath(import.meta.url));
// the broker lives alone in a namespace the harness made, so a fixed port cannot collide
const BROKER_PORT = 1883;
const TOPIC = 'kefu/e2e/seq';

/** `modem-dereg` (+CEREG: 0 URC) and `modem-vanish` (socat killed) need the `cellular5g` option */
export type CutKind = 'hard' | 'carrier' | 'silent' | 'loss30' | 'latency' | 'modem-dereg' | 'modem-vanish';
export interface RunnerLine { t: string; at: number; [k: string]: unknown }

export interface CutResult { detectMs: number; failoverMs: number; reason: string; to: string }

/** `ble`: a fourth link through the fake BlueZ to a `kefu relay ble` process in the master namespace */
/** `latencyMs`: the delay the `latency` cut adds on 5G (each direction), through a delay proxy in the master namespace */
/** `outbox`: the box publishes through the daemon's durable outbox + uplink (events with envelope ids), so it may be killed */
/**
 * `cellular5g`: 5G is the real cellular transport (kind nr5g) on the modem simulator (socat pty, run here in the
 * test process); the simulated data call brings the 5G veth up and down, and openStream binds to its address.
 */
export async function createFailoverHarness(o: { options?: ManagerOptionsInput; tag?: string; ble?: boolean; latencyMs?: number; outbox?: boolean; cellular5g?: boolean } = {}) {
  const ns: Netns = createNetns(o.tag ?? `${process.pid}`);
  const dir = await mkdtemp(join(tmpdir(), 'kefu-failover-'));
  let mosq: Mosquitto | null = null;
  let runner: ChildProcess | null = null;
  let sub: mqtt.MqttClient | null = null;
  let dbusBus: PrivateBus | null = null;
  let fake: FakeBluez | null = null;
  let relay: ChildProcess | null = null;
  let proxy: ChildProcess | null = null;
  let modem: ModemSim | null = null;
  const lines: RunnerLine[] = [];
  const waiters = new Set<() => void>();
  const received = new Map<number, number>();
  /** outbox mode: envelope id → deliveries (a wire duplicate is the same id twice) */
  const receivedIds = new Map<string, number>();
  let cfg: Record<string, unknown> = {};
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
    await modem?.stop().catch(() => {});
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
    sub.on('message', (_t, payload) => {
      if (o.outbox) {
        const env = JSON.parse(payload.toString()) as { id: string; data: { n: number } };
        receivedIds.set(env.id, (receivedIds.get(env.id) ?? 0) + 1);
        received.set(env.data.n, (received.get(env.data.n) ?? 0) + 1);
      } else {
        const n = Number(payload.toString());
        received.set(n, (received.get(n) ?? 0) + 1);
      }
    });
    const topic = o.outbox ? 'kefu/v1/e2e/box1/evt/e2e/seq' : TOPIC;
    await new Promise<void>((res, rej) => { sub!.once('connect', () => sub!.subscribe(topic, { qos: 1 }, (err) => (err ? rej(err) : res()))); sub!.once('error', rej); });

    // 5G always passes a delay proxy in the master namespace (delay 0 until a latency cut), so the cut also
    // slows the connections that are already open
    proxy = ns.spawnIn(ns.master, [process.execPath, '--import', 'tsx', join(here, 'delay-proxy.ts'), '0.0.0.0', `${BROKER_IP}:${BROKER_PORT}`, '0']);
    const proxyPort = await new Promise<number>((resolve, reject) => {
      createInterface({ input: proxy!.stdout! }).once('line', (l) => resolve(Number(l)));
      proxy!.once('exit', () => reject(new Error('delay proxy exited')));
    });
    ns.exec(ns.master, ['nft', `add table ip kefu_nat; add chain ip kefu_nat pre { type nat hook prerouting priority -100; }; add rule ip kefu_nat pre iifname "${ns.link('5g').masterIf}" tcp dport ${BROKER_PORT} redirect to :${proxyPort}`]);
    const links: Array<Record<string, unknown>> = LINKS.map((l) => ({ id: l.name, interface: l.boxIf, localAddress: l.boxIp }));
    if (o.cellular5g) links[0] = await startModem();
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
    cfg = {
      broker: { host: BROKER_IP, port: BROKER_PORT }, topic: TOPIC, dataDir: dir, ...(o.outbox ? { outboxDir: join(dir, 'box-store') } : {}),
      // the IP links are wired transports; rank them by id as a box ranks 5G > 4G > Ethernet > Bluetooth
      // standby links pinged as often as the active one, so a short test hold-down is not dominated by the loss window
      options: { order: [...LINKS.map((l) => l.name), 'ble'], probe: { standbyIntervalMs: 250 }, ...o.options },
      links,
    };
    spawnRunner(0);
  } catch (err) {
    await close();
    throw err;
  }

  /** The 5G veth stays down until the simulated data call is up, as a modem's netdev does. */
  async function startModem(): Promise<Record<string, unknown>> {
    const l = ns.link('5g');
    ns.linkDown('5g');
    modem = createModemSim({
      dir: join(dir, 'modem'), rat: 'NR5G-SA', rebootMs: 200,
      link: { up: () => ns.restore('5g'), down: () => ns.linkDown('5g') },
    });
    await modem.start();
    return {
      id: l.name, kind: 'nr5g', netdev: l.boxIf,
      modem: { port: modem.modemPath, apn: 'cmnet' },
      // short AT timings as in the cellular integration test; registration is watched by URC, not by these polls
      timing: { commandTimeoutMs: 600, keepaliveMs: 1000, retryMs: 300, portWaitMs: 3000, signalIntervalMs: 1000 },
    };
  }

  function spawnRunner(startSeq: number): void {
    const r = ns.spawnIn(ns.box, [process.execPath, '--import', 'tsx', join(here, 'box-runner.ts'), JSON.stringify({ ...cfg, startSeq })]);
    runner = r;
    r.stderr?.on('data', (b) => { stderr = (stderr + b).slice(-4000); });
    createInterface({ input: r.stdout! }).on('line', (l) => {
      if (runner !== r) return;
      try { lines.push(JSON.parse(l) as RunnerLine); } catch { stderr += `${l}\n`; }
      for (const w of [...waiters]) w();
    });
  }

  const send = (c: Record<string, unknown>) => runner!.stdin!.write(`${JSON.stringify(c)}\n`);
  /** outbox mode: the numbers the box confirmed as durably enqueued (only those must arrive) */
  const confirmed = () => lines.filter((l) => l.t === 'enqueued').map((l) => l.n as number);

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

  /**
   * A cut measures a switch away from the link that carries the stream: if the box moved off it for a reason of
   * its own (a quality gate on a loaded machine), wait for the fail-back rather than cut a standby link.
   */
  async function carrying(link: string, timeoutMs = 30_000): Promise<void> {
    const last = lines.filter((l) => l.t === 'switch').at(-1);
    if (last?.to === link) return;
    await waitFor((l) => l.t === 'switch' && l.to === link, timeoutMs, `the stream back on ${link} before the cut (moved off by ${JSON.stringify(last)})`, lines.length);
  }

  const sim = (kind: CutKind): ModemSim => {
    if (!modem) throw new Error(`the ${kind} cut needs createFailoverHarness({ cellular5g: true })`);
    return modem;
  };

  async function apply(kind: CutKind, link: NetLink['name']): Promise<void> {
    if (kind === 'modem-dereg') await sim(kind).dropRegistration();
    else if (kind === 'modem-vanish') await sim(kind).vanish();
    else if (kind === 'hard') ns.linkDown(link);
    else if (kind === 'carrier') ns.carrierLoss(link);
    else if (kind === 'silent') ns.silentDrop(link);
    else if (kind === 'loss30') ns.randomLoss(link, 30);
    else setLatency(o.latencyMs ?? 2000);
  }
  function setLatency(ms: number): void { proxy?.stdin?.write(`delay ${ms}\n`); }

  return {
    ns, lines, received, close,
    modem: () => modem,
    stderr: () => stderr,
    /** the box runner's pid (`ip netns exec` execs it in place), for /proc CPU and memory readings */
    runnerPid: () => runner?.pid,
    /** outbox mode: first deliveries at the subscriber, in arrival order */
    arrivals: () => [...received.keys()],
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
    /** stops the publisher without waiting for delivery (settle() waits) */
    pausePublishing(): void { send({ cmd: 'pause' }); },
    forceSwitch(id: string, timeoutMs: number): void { send({ cmd: 'switch', id, timeoutMs }); },
    fake: () => fake,
    confirmed,
    /** kill -9 the box process, start it again on the same outbox, and let it publish on */
    async kill9AndRestart(intervalMs = 20): Promise<void> {
      const r = runner!;
      const exited = new Promise((res) => r.once('exit', res));
      r.kill('SIGKILL');
      await exited;
      const from = lines.length;
      // numbers the dead box may have written without confirming stay unique: continue well past them
      spawnRunner(Math.max(0, ...confirmed()) + 10_000);
      await waitFor((l) => l.t === 'ready', 30_000, 'restarted box', from);
      send({ cmd: 'publish', intervalMs });
    },
    /** Cuts a link and measures detection (cut → switch event) and failover (cut → first PUBACK on the new link). */
    async cut(kind: CutKind, link: NetLink['name'], timeoutMs = 15_000): Promise<CutResult> {
      await carrying(link);
      const from = lines.length;
      const t0 = Date.now();
      await apply(kind, link);
      const sw = await waitFor((l) => l.t === 'switch' && l.from === link, timeoutMs, `switch away from ${link} after ${kind} cut`, from);
      const ack = await waitFor((l) => l.t === 'ack' && l.link === sw.to && l.at >= t0, timeoutMs, `first PUBACK over ${String(sw.to)}`, from);
      return { detectMs: (sw.switchAt as number) - t0, failoverMs: ack.at - t0, reason: String(sw.reason), to: String(sw.to) };
    },
    /** Cuts several links at once (e.g. every IP link) and measures the switch to `expectTo`. */
    async cutMany(kind: CutKind, cut: Array<NetLink['name']>, expectTo: string, timeoutMs = 20_000): Promise<CutResult> {
      const from = lines.length;
      const t0 = Date.now();
      for (const l of cut) await apply(kind, l);
      const sw = await waitFor((l) => l.t === 'switch' && l.to === expectTo, timeoutMs, `switch to ${expectTo} after cutting ${cut.join(', ')}`, from);
      const ack = await waitFor((l) => l.t === 'ack' && l.link === expectTo && l.at >= t0, timeoutMs, `first PUBACK over ${expectTo}`, from);
      return { detectMs: (sw.switchAt as number) - t0, failoverMs: ack.at - t0, reason: String(sw.reason), to: expectTo };
    },
    /** Undoes a cut and waits for the fail-back; returns the time from restore to the first PUBACK back on it. */
    async restore(kind: CutKind, link: NetLink['name'], timeoutMs = 30_000): Promise<{ failbackMs: number; heldMs: number }> {
      const from = lines.length;
      const t0 = Date.now();
      if (kind === 'modem-dereg') await sim(kind).restoreRegistration();
      // the modem comes back on the same port path; the transport finds it, redials and the data call raises the link
      else if (kind === 'modem-vanish') await sim(kind).start();
      else if (kind === 'silent' || kind === 'loss30') ns.clearNft();
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
      const missing = o.outbox
        ? () => confirmed().filter((n) => !received.has(n)).length
        : () => { let m = 0; for (let i = 1; i <= last; i++) if (!received.has(i)) m++; return m; };
      while (missing() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      let wireDups = 0;
      if (o.outbox) {
        for (const [, c] of receivedIds) wireDups += c - 1;
        // after dedupe on the envelope id (as the master does), a number seen under two ids was enqueued twice
        let effectiveDups = 0;
        for (const [, c] of received) effectiveDups += c - 1;
        effectiveDups -= wireDups;
        return { published: confirmed().length, lost: missing(), wireDups, effectiveDups };
      }
      for (const [, c] of received) wireDups += c - 1;
      // the subscriber dedupes on the sequence number, as the master dedupes on the envelope id
      return { published: last, lost: missing(), wireDups, effectiveDups: 0 };
    },
  };
}

export type FailoverHarness = Awaited<ReturnType<typeof createFailoverHarness>>;
