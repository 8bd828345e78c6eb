// Master ingestion throughput: N events from one box through the embedded broker into the master (validate,
// dedupe in level, store), against the peer of a plain mqtt.js subscriber on the same broker receiving the
// same N messages (no ingestion). Prints one JSON line per run. Usage: npm run bench -- master-ingest [n] [runs]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { createMaster } from '../master/index.js';
import { topics } from '../protocol/topics.js';

const n = Number(process.argv[2] ?? 5000);
const runs = Number(process.argv[3] ?? 3);
const ref = { region: 'bench', box: 'hall-01' };

async function connect(url: string, clientId: string, username: string, password: string): Promise<MqttClient> {
  const c = mqtt.connect(url, { clientId, username, password, reconnectPeriod: 0 });
  await new Promise<void>((resolve, reject) => { c.once('connect', () => resolve()); c.once('error', reject); });
  return c;
}

async function waitUntil(fn: () => boolean, timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > end) throw new Error('bench timed out');
    await new Promise((r) => setImmediate(r));
  }
}

async function publishAll(box: MqttClient, prefix: string): Promise<void> {
  const payload = (i: number) => JSON.stringify({ v: 1, id: `${prefix}-${i}`, seq: i, ts: Date.now(), data: { text: '您好，我想开发票', n: i } });
  await Promise.all(Array.from({ length: n }, (_, i) => box.publishAsync(topics.event(ref, 'chat', 'message'), payload(i), { qos: 1 })));
}

for (let run = 1; run <= runs; run++) {
  const dir = await mkdtemp(join(tmpdir(), 'kefu-bench-'));
  const m = createMaster({ dataDir: dir, broker: { tcp: { host: '127.0.0.1', port: 0 } }, http: { host: '127.0.0.1', port: 0 } });
  try {
    const urls = await m.start();
    const { password } = await m.credentials.addBox(ref.box, ref.region);
    const box = await connect(urls.mqtt!, ref.box, ref.box, password);

    // peer: the same N QoS 1 messages through the same broker to a bare mqtt.js subscriber, on a topic the
    // master does not ingest (published with the service credential): broker + client cost without ingestion
    const { readFile } = await import('node:fs/promises');
    const servicePassword = (await readFile(join(dir, 'service.secret'), 'utf8')).trim();
    const peerPub = await connect(urls.mqtt!, 'kefu-master-peer-pub', 'kefu-master', servicePassword);
    const peer = await connect(urls.mqtt!, 'kefu-master-peer-sub', 'kefu-master', servicePassword);
    let peerCount = 0;
    peer.on('message', () => { peerCount++; });
    await peer.subscribeAsync('bench/peer/#', { qos: 1 });
    const pt0 = performance.now();
    await Promise.all(Array.from({ length: n }, (_, i) => peerPub.publishAsync('bench/peer/chat/message', JSON.stringify({ v: 1, id: `p-${i}`, seq: i, ts: Date.now(), data: { text: '您好，我想开发票', n: i } }), { qos: 1 })));
    await waitUntil(() => peerCount >= n);
    const peerMs = performance.now() - pt0;
    await peer.endAsync();
    await peerPub.endAsync();

    const base = m.stats().ingest.events; // 0
    const t0 = performance.now();
    await publishAll(box, `r${run}`);
    await waitUntil(() => m.stats().ingest.events >= base + n);
    const masterMs = performance.now() - t0;

    const d0 = performance.now();
    await publishAll(box, `r${run}`); // the same ids again: an outbox replay, all duplicates
    await waitUntil(() => m.stats().ingest.duplicates >= n);
    const dupMs = performance.now() - d0;
    await box.endAsync();

    process.stdout.write(`${JSON.stringify({
      bench: 'master-ingest', run, events: n,
      master_events_per_s: Math.round(n / (masterMs / 1000)), peer_plain_subscriber_per_s: Math.round(n / (peerMs / 1000)),
      master_vs_peer_time_ratio: Number((masterMs / peerMs).toFixed(2)),
      duplicates_per_s: Math.round(n / (dupMs / 1000)), rejected: m.stats().ingest.rejectedTotal,
    })}\n`);
  } finally {
    await m.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
