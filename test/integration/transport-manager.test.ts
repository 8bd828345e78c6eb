// TransportManager I/O on loopback (no root needed): each link reaches an aedes broker through its own proxy,
// which the test black-holes. An mqtt.js client publishes QoS 1 through manager.openStream the whole time.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import mqtt from 'mqtt';
import type { DelayProxy } from '../sim/delay-proxy.js';
import { startLinkRig } from '../helpers/link-rig.js';
import { createTransportManager, createDeferredDuplex, type SwitchEvent, type ManagerOptionsInput } from '../../transports/manager/index.js';
import { StateCell, type Transport, type TransportKind } from '../../transports/transport.js';
import { silentLogger } from '../../daemon/logger.js';

function proxyTransport(id: string, kind: TransportKind, proxy: DelayProxy, opened: string[]): Transport {
  const cell = new StateCell();
  return {
    id, kind,
    ...(kind === 'ble' ? { inflightWindow: 32 } : {}),
    get state() { return cell.current; },
    onState: (l) => cell.on(l),
    async start() { cell.set({ status: 'up', quality: 1 }); },
    async stop() { cell.set({ status: 'down', quality: null }); },
    async openStream() {
      opened.push(id);
      const s = net.connect(proxy.port, '127.0.0.1');
      await once(s, 'connect');
      return s;
    },
  };
}

async function setup(t: TestContext, options: ManagerOptionsInput = {}) {
  const { broker, port, proxies, cleanup: stack } = await startLinkRig(t, ['5g', 'eth', 'ble']);
  const received = new Map<number, number>();
  broker.on('publish', (p) => { if (p.topic === 'seq') { const n = Number(p.payload.toString()); received.set(n, (received.get(n) ?? 0) + 1); } });
  const opened: string[] = [];
  const manager = createTransportManager({
    transports: [proxyTransport('5g', 'nr5g', proxies['5g'], opened), proxyTransport('eth', 'wired', proxies.eth, opened), proxyTransport('ble', 'ble', proxies.ble, opened)],
    broker: { host: '127.0.0.1', port }, probeIdentity: { clientId: 'box1' }, log: silentLogger(),
    options: { holdDownMs: 1500, probe: { intervalMs: 100, standbyIntervalMs: 100, timeoutMs: 400 }, ...options },
  });
  const events: SwitchEvent[] = [];
  manager.onSwitch((e) => events.push(e));
  stack.push(() => manager.stop());
  await manager.start();
  const client = new mqtt.MqttClient(() => createDeferredDuplex(manager.openStream()), { clientId: 'box1-uplink', protocolId: 'MQTT', protocolVersion: 4, clean: false, keepalive: 5, reconnectPeriod: 50 });
  client.on('error', () => {});
  stack.push(() => new Promise<void>((r) => client.end(true, {}, () => r())));
  return { manager, proxies, events, received, client, opened };
}

const until = async (fn: () => boolean, ms: number, what: string) => {
  const deadline = Date.now() + ms;
  while (!fn()) { if (Date.now() > deadline) throw new Error(`timed out: ${what}`); await new Promise((r) => setTimeout(r, 20)); }
};

test('black hole on the active link: switch, make-before-break, nothing lost, fail-back after hold-down', { timeout: 60_000 }, async (t) => {
  const { manager, proxies, events, received, client, opened } = await setup(t);
  await new Promise((r) => client.once('connect', r));
  assert.equal(manager.current()?.id, '5g');
  let n = 0; const acked = new Set<number>();
  const pub = setInterval(() => { const i = ++n; client.publish('seq', String(i), { qos: 1 }, (err) => { if (!err) acked.add(i); }); }, 20);
  t.after(() => clearInterval(pub));
  await new Promise((r) => setTimeout(r, 500));
  const t0 = Date.now();
  proxies['5g'].setMode('blackhole');
  // a black hole shows first as timeouts: the loss gate (quality) or the dead-link rule (failover) moves away
  const away = (e: SwitchEvent) => e.from === '5g' && (e.kind === 'failover' || e.kind === 'quality');
  await until(() => events.some(away), 5000, 'switch away from the black-holed link');
  const fo = events.find(away)!;
  assert.equal(fo.to, 'eth');
  assert.ok(fo.at - t0 < 2000, `detected after ${fo.at - t0} ms`);
  // make-before-break: the manager opened the eth stream before cutting 5G, and the client reused it
  const before = opened.filter((id) => id === 'eth').length;
  await new Promise((r) => client.once('connect', r));
  assert.equal(opened.filter((id) => id === 'eth').length, before, 'the reconnect used the stream opened before the cut');
  proxies['5g'].setMode('pass');
  await until(() => events.some((e) => e.kind === 'failback'), 10_000, 'failback');
  const fb = events.find((e) => e.kind === 'failback')!;
  assert.match(fb.reason, /hold-down 1\.5 s/);
  clearInterval(pub);
  await until(() => acked.size === n, 10_000, 'all acked');
  for (let i = 1; i <= n; i++) assert.ok(received.has(i), `message ${i} missing`);
  assert.ok(manager.status().links.find((l) => l.id === '5g')!.bytesOut > 0);
});

test('forced switch, automatic selection after its timeout; BLE carries critical and event only, fewer in flight', { timeout: 60_000 }, async (t) => {
  const { manager, events, client } = await setup(t);
  await new Promise((r) => client.once('connect', r));
  assert.deepEqual(manager.allowedClasses(), ['critical', 'event', 'telemetry', 'bulk']);
  assert.equal(manager.inflightLimit(), undefined, 'a fast link leaves the uplink its window');
  await assert.rejects(manager.switchTo('nope'), /no transport with id nope/);
  const ev = await manager.switchTo('ble', { timeoutMs: 1500 });
  assert.equal(ev?.to, 'ble');
  assert.equal(ev?.kind, 'forced');
  assert.equal(manager.current()?.id, 'ble');
  assert.deepEqual(manager.allowedClasses(), ['critical', 'event']);
  assert.equal(manager.inflightLimit(), 32, "the slow link's own cap");
  await new Promise((r) => client.once('connect', r));
  await until(() => manager.current()?.id === '5g', 5000, 'automatic selection resumed');
  assert.equal(events.at(-1)!.kind, 'force-ended');
  assert.equal(manager.status().forced, null);
});

test('a metered link over its byte budget carries only critical', { timeout: 60_000 }, async (t) => {
  const { manager, client } = await setup(t, { links: { '5g': { budgetBytes: 2000 } } });
  await new Promise((r) => client.once('connect', r));
  assert.deepEqual(manager.allowedClasses(), ['critical', 'event', 'telemetry', 'bulk']);
  for (let i = 0; i < 10; i++) await client.publishAsync('bulk', Buffer.alloc(300), { qos: 1 });
  const s = manager.status().links.find((l) => l.id === '5g')!;
  assert.ok(s.budgetUsed >= 2000, `counted ${s.budgetUsed} bytes`);
  assert.deepEqual(manager.allowedClasses(), ['critical']);
});

test('standby links are pinged less often than the active one; probe bytes count against the budget', { timeout: 60_000 }, async (t) => {
  // a generous timeout: on a loaded machine a late PONG would make the probe reconnect, and the CONNECT's bytes
  // would count as if the standby link were pinged often (CI once saw 34 B on the standby link)
  const { manager, client } = await setup(t, { probe: { intervalMs: 100, standbyIntervalMs: 1000, timeoutMs: 2500 } });
  await new Promise((r) => client.once('connect', r));
  const bytes = () => Object.fromEntries(manager.status().links.map((l) => [l.id, l.bytesOut]));
  const a = bytes();
  await new Promise((r) => setTimeout(r, 3000));
  const b = bytes();
  const active = b['5g'] - a['5g'];
  const standby = b.eth - a.eth;
  assert.ok(standby > 0, 'standby probes are counted');
  assert.ok(active > 4 * standby, `active link sent ${active} B, standby ${standby} B`);
});
