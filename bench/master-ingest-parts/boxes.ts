// Child process of the master-ingest bench: plays boxes (boxes are remote; their MQTT clients must not
// share the master's CPU time slice). On {cmd:'run'} it connects every client, publishes `perClient` QoS 1
// events per client with at most `window` unacknowledged at a time (what an outbox does), and reports when
// every PUBACK is in. Payloads are envelopes of the MQTT contract with a short Chinese chat message.
import mqtt, { type MqttClient } from 'mqtt';

interface Client { url: string; clientId: string; username: string; password: string; topic: string }
interface RunCmd { cmd: 'run'; clients: Client[]; perClient: number; window: number; idPrefix: string }

async function connect(c: Client): Promise<MqttClient> {
  const m = mqtt.connect(c.url, { clientId: c.clientId, username: c.username, password: c.password, reconnectPeriod: 0, connectTimeout: 30_000 });
  await new Promise<void>((resolve, reject) => { m.once('connect', () => resolve()); m.once('error', reject); });
  return m;
}

// A box's seq is persisted and only grows: each id prefix (a run) continues where the box's last one ended, and a
// replay of a prefix (the duplicates run) reuses its seqs, as a box's outbox replay does.
const nextSeq = new Map<string, number>();
const seqBase = new Map<string, number>();

async function publishWindowed(m: MqttClient, c: Client, perClient: number, window: number, idPrefix: string): Promise<void> {
  const key = `${idPrefix}|${c.clientId}`;
  if (!seqBase.has(key)) {
    seqBase.set(key, nextSeq.get(c.clientId) ?? 0);
    nextSeq.set(c.clientId, seqBase.get(key)! + perClient);
  }
  const base = seqBase.get(key)!;
  let next = 0;
  const worker = async () => {
    while (next < perClient) {
      const i = next++;
      const payload = JSON.stringify({ v: 1, id: `${idPrefix}-${c.clientId}-${i}`, seq: base + i, ts: Date.now(), class: 'event', data: { text: '您好，我想开发票', n: i } });
      await m.publishAsync(c.topic, payload, { qos: 1 });
    }
  };
  await Promise.all(Array.from({ length: Math.min(window, perClient) }, worker));
}

process.on('message', (msg: RunCmd) => {
  if (msg.cmd !== 'run') return;
  (async () => {
    const conns = await Promise.all(msg.clients.map(connect));
    process.send!({ ready: true });
    await new Promise<void>((resolve) => process.once('message', () => resolve())); // 'go'
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await Promise.all(conns.map((m, i) => publishWindowed(m, msg.clients[i], msg.perClient, msg.window, msg.idPrefix)));
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(c0);
    await Promise.all(conns.map((m) => m.endAsync()));
    process.send!({ done: true, ms, cpuUs: cpu.user + cpu.system });
  })().catch((err: Error) => { process.send!({ error: err.message }); });
});
process.send!({ up: true });
