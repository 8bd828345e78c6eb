// The box side of the failover harness, run as a child inside the box namespace: TransportManager over wired
// links + mqtt.js with a numbered at-least-once QoS 1 publisher. JSON lines out (switch, connect, ack), JSON
// commands in. The real daemon (outbox + uplink) can replace this file: keep the same lines.
import mqtt from 'mqtt';
import { createInterface } from 'node:readline';
import { createLogger } from '../../daemon/logger.js';
import { createTransportManager, deferredStream, type ManagerOptionsInput } from '../../transports/manager/index.js';
import { createWiredTransport } from '../../transports/wired/index.js';
import { createBleTransport } from '../../transports/ble/index.js';
import type { Transport } from '../../transports/transport.js';

interface RunnerConfig {
  broker: { host: string; port: number };
  links: Array<{ id: string; kind?: 'wired' | 'ble'; interface?: string; localAddress?: string; peer?: string; busAddress?: string }>;
  options?: ManagerOptionsInput;
  topic: string;
}

const cfg = JSON.parse(process.argv[2]) as RunnerConfig;
const out = (o: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ ...o, at: Date.now() })}\n`);
const log = createLogger({ level: process.env.KEFU_LOG_LEVEL ?? 'warn' });
const ctx = { log, dataDir: '/tmp', readSecret: async () => '' };
const transports: Transport[] = cfg.links.map(({ kind, ...l }) => (kind === 'ble'
  ? createBleTransport(ctx, { id: l.id, peer: l.peer as string, busAddress: l.busAddress, reconnectMs: 300, connectTimeoutMs: 5000 })
  : createWiredTransport(ctx, { kind: 'wired', pollMs: 50, connectTimeoutMs: 2000, ...l })));
const manager = createTransportManager({ transports, broker: cfg.broker, probeIdentity: { clientId: 'box-e2e' }, options: cfg.options, log });
manager.onSwitch((e) => out({ t: 'switch', from: e.from, to: e.to, kind: e.kind, reason: e.reason, switchAt: e.at }));
await manager.start();

let link: string | null = null;
// mqtt.js calls the builder again on every reconnect; the manager picks the link each time
const client = new mqtt.MqttClient(
  () => deferredStream(async () => { const s = await manager.openStream(cfg.broker); link = manager.current()?.id ?? null; return s; }),
  { clientId: 'box-e2e-pub', clean: false, protocolVersion: 4, protocolId: 'MQTT', keepalive: 5, reconnectPeriod: 100, connectTimeout: 3000 },
);
client.on('connect', () => out({ t: 'connect', link }));
client.on('error', (err) => out({ t: 'error', message: err.message }));

let seq = 0;
let timer: NodeJS.Timeout | null = null;
// at-least-once without the real outbox: anything unacked for RETRY_MS is published again (mqtt.js only
// resends its in-flight packets after a reconnect, and drops some when a stream dies mid-write)
const RETRY_MS = 4000;
const unacked = new Map<number, number>();
function publishOne(n: number): void {
  unacked.set(n, Date.now());
  client.publish(cfg.topic, String(n), { qos: 1 }, (err) => {
    if (err) { out({ t: 'pub-error', seq: n, message: err.message }); return; }
    if (!unacked.delete(n)) return;
    out({ t: 'ack', seq: n, link });
  });
}
const retry = setInterval(() => {
  if (!client.connected) return;
  const now = Date.now();
  for (const [n, at] of unacked) if (now - at > RETRY_MS) publishOne(n);
}, 1000);

const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const c = JSON.parse(line) as { cmd: string; intervalMs?: number; id?: string; timeoutMs?: number };
  if (c.cmd === 'publish') {
    if (timer) clearInterval(timer);
    timer = setInterval(() => publishOne(++seq), c.intervalMs ?? 50);
  } else if (c.cmd === 'pause') {
    if (timer) clearInterval(timer);
    timer = null;
    out({ t: 'paused', last: seq, unacked: unacked.size });
  } else if (c.cmd === 'status') {
    out({ t: 'status', status: manager.status(), unacked: [...unacked.keys()], last: seq });
  } else if (c.cmd === 'switch') {
    manager.switchTo(c.id as string, { timeoutMs: c.timeoutMs }).then((e) => out({ t: 'switched', event: e }), (err: Error) => out({ t: 'switch-error', message: err.message }));
  } else if (c.cmd === 'exit') {
    if (timer) clearInterval(timer);
    clearInterval(retry);
    client.end(false, {}, () => void manager.stop().then(() => process.exit(0)));
  }
});
rl.on('close', () => { clearInterval(retry); void manager.stop().then(() => process.exit(0)); });
out({ t: 'ready' });
