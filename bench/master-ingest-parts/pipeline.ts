// The master's ingestion pipeline without MQTT (topic parse, zod validation, group-committed dedupe and
// level batch), fed the way a socket delivers: a few hundred messages per event-loop turn. Its peer is
// bare level batches of the same events (JSON values, one put each): the floor any store write pays.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IPublishPacket } from 'mqtt';
import { createRootStore } from '../../daemon/store.js';
import { silentLogger } from '../../daemon/logger.js';
import { createCommandApi } from '../../master/commands/command-api.js';
import { createFleetRegistry } from '../../master/fleet/registry.js';
import { createEventStore } from '../../master/ingest/event-store.js';
import { createIngestStats } from '../../master/ingest/ingest-stats.js';
import { createIngestor } from '../../master/ingest/ingestor.js';
import { createTelemetryStore } from '../../master/ingest/telemetry-store.js';
import { topics } from '../../protocol/topics.js';

const PER_TURN = 256;

/** CPU time of the whole process (main thread and level's I/O threads) since `from`, in µs */
export function cpuUs(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return d.user + d.system;
}

function payloads(n: number, prefix: string) {
  const topic = topics.event({ region: 'bench', box: 'hall-01' }, 'chat', 'message');
  return Array.from({ length: n }, (_, i) => ({
    topic,
    payload: Buffer.from(JSON.stringify({ v: 1, id: `${prefix}-${i}`, seq: i, ts: Date.now(), class: 'event', data: { text: '您好，我想开发票', n: i } })),
    packet: { cmd: 'publish', qos: 1, messageId: (i % 65535) + 1, retain: false, dup: false } as unknown as IPublishPacket,
  }));
}

async function inTurns<T>(items: T[], fn: (chunk: T[]) => unknown) {
  for (let i = 0; i < items.length; i += PER_TURN) {
    await fn(items.slice(i, i + PER_TURN));
    await new Promise((r) => setImmediate(r));
  }
}

export async function ingestOnly(n: number) {
  const dir = await mkdtemp(join(tmpdir(), 'kefu-bench-ingest-'));
  const root = createRootStore(join(dir, 'store'));
  await root.open();
  try {
    const log = silentLogger();
    const registry = createFleetRegistry();
    const client = () => { throw new Error('no MQTT in this bench'); };
    const stats = createIngestStats();
    const ingestor = createIngestor({
      client, registry, events: createEventStore(root), telemetry: createTelemetryStore({ historyLength: 10 }),
      commands: createCommandApi({ client, registry, log, defaultTimeoutMs: 1000 }), stats, log, maxPayloadBytes: 256 * 1024, sharedGroup: null,
    });
    const msgs = payloads(n, 'i');
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await inTurns(msgs, (chunk) => { for (const m of chunk) ingestor.ingest(m.topic, m.payload, m.packet); });
    await ingestor.drain();
    const ms = performance.now() - t0;
    const cpu = cpuUs(c0);
    if (stats.counters.events !== n) throw new Error(`ingest-only stored ${stats.counters.events} of ${n}: ${JSON.stringify({ ...stats.snapshot(), eventsPerSecond: undefined })}`);

    const d0 = performance.now();
    await inTurns(msgs, (chunk) => { for (const m of chunk) ingestor.ingest(m.topic, m.payload, m.packet); });
    await ingestor.drain();
    const dupMs = performance.now() - d0;
    if (stats.counters.duplicates !== n) throw new Error(`ingest-only saw ${stats.counters.duplicates} duplicates of ${n}`);

    const peer = payloads(n, 'p');
    const raw = root.sublevel<string, unknown>('peer', { valueEncoding: 'json' });
    let key = 0;
    const pc0 = process.cpuUsage();
    const p0 = performance.now();
    await inTurns(peer, (chunk) => raw.batch(chunk.map((m) => ({ type: 'put' as const, key: String(key++).padStart(10, '0'), value: JSON.parse(m.payload.toString()) }))));
    const peerMs = performance.now() - p0;
    const peerCpu = cpuUs(pc0);
    return {
      masterPerS: Math.round(n / (ms / 1000)), peerPerS: Math.round(n / (peerMs / 1000)), duplicatesPerS: Math.round(n / (dupMs / 1000)),
      masterCpuUsPerEvent: Number((cpu / n).toFixed(1)), peerCpuUsPerEvent: Number((peerCpu / n).toFixed(1)),
    };
  } finally {
    await root.close();
    await rm(dir, { recursive: true, force: true });
  }
}
