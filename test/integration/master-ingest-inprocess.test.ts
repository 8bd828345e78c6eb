// In-process ingestion from the embedded broker: a box's event is acknowledged to the box (PUBACK) only after
// the master stored it, an event the master cannot take (not ingesting, stopping) is refused without a PUBACK
// so the box keeps it, and other subscribers still receive events. Real aedes listeners, real mqtt.js clients.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { createRootStore } from '../../daemon/store.js';
import { silentLogger } from '../../daemon/logger.js';
import { createEmbeddedBroker } from '../../master/broker/embedded-broker.js';
import { EmbeddedBrokerConfig } from '../../master/broker/broker-config.js';
import { createCommandApi } from '../../master/commands/command-api.js';
import { createCredentialStore } from '../../master/credentials/credential-store.js';
import { createFleetRegistry } from '../../master/fleet/registry.js';
import { createEventStore, type EventStore } from '../../master/ingest/event-store.js';
import { createIngestStats } from '../../master/ingest/ingest-stats.js';
import { createIngestor } from '../../master/ingest/ingestor.js';
import { createTelemetryStore } from '../../master/ingest/telemetry-store.js';
import { topics } from '../../protocol/topics.js';
import { tempDir } from '../helpers/tmp.js';
import { connectBox, startMaster, waitFor } from './master-fixtures.js';

const hall = { region: 'dandong', box: 'hall-01' };
const evt = topics.event(hall, 'chat', 'message');
const env = (id: string, seq = 1) => JSON.stringify({ v: 1, id, seq, ts: 1_700_000_000_000 + seq, data: { text: id } });

/** An embedded broker with a box and the master's service user, and an ingestor wired in-process. */
async function setUp(t: { after(fn: () => unknown): void }, store: (inner: EventStore) => EventStore) {
  const dir = await tempDir(t);
  const credentials = createCredentialStore({ dataDir: dir });
  const { password } = await credentials.addBox(hall.box, hall.region);
  await credentials.setService('kefu-master', 'service-secret');
  const log = silentLogger();
  const broker = createEmbeddedBroker({ config: EmbeddedBrokerConfig.parse({ tcp: { host: '127.0.0.1', port: 0 } }), credentials, log });
  const { tcp } = await broker.start();
  t.after(() => broker.stop());
  const url = `mqtt://127.0.0.1:${tcp!.port}`;
  const root = createRootStore(join(dir, 'store'));
  await root.open();
  t.after(() => root.close());
  const events = createEventStore(root);
  const link = await mqtt.connectAsync(url, { clientId: 'kefu-master-main', username: 'kefu-master', password: 'service-secret', reconnectPeriod: 0 });
  t.after(() => link.endAsync(true));
  const registry = createFleetRegistry();
  const stats = createIngestStats();
  const ingestor = createIngestor({
    client: () => link, registry, events: store(events), telemetry: createTelemetryStore({ historyLength: 5 }),
    commands: createCommandApi({ client: () => link, registry, log, defaultTimeoutMs: 1000 }), stats, log,
    maxPayloadBytes: 64 * 1024, sharedGroup: null, inProcess: broker,
  });
  await ingestor.start();
  t.after(() => ingestor.stop());
  return { url, password, events, stats, ingestor, broker };
}

/** Resolves with the PUBACK, or with 'none' if the session closes first. */
function publishOutcome(box: MqttClient, payload: string): Promise<'acked' | 'none'> {
  return new Promise((resolve) => {
    box.once('close', () => resolve('none'));
    box.publish(evt, payload, { qos: 1 }, (err) => resolve(err ? 'none' : 'acked'));
  });
}

test('in-process: the box gets its PUBACK only once the event is stored; subscribers still see it', async (t) => {
  let open = false;
  let release: () => void = () => undefined;
  const opened = new Promise<void>((r) => { release = r; });
  const { url, password, events, stats } = await setUp(t, (inner) => ({
    ...inner,
    async putMany(items, now) {
      if (!open) await opened;
      return inner.putMany(items, now);
    },
  }));
  const box = await connectBox(t, url, hall, password);
  let outcome: string | null = null;
  void publishOutcome(box, env('held')).then((o) => { outcome = o; });
  await waitFor(() => stats.counters.received === 1, 10_000, 'the master received the event');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(outcome, null, 'no PUBACK while the store has not written the event');
  open = true;
  release();
  await waitFor(() => outcome === 'acked', 10_000, 'PUBACK after the commit');
  assert.deepEqual((await events.list(hall.box)).map((e) => e.id), ['held']);

  // a copy (the box replays after a reconnect) is acknowledged without a second copy in the store
  assert.equal(await publishOutcome(box, env('held')), 'acked');
  await waitFor(() => stats.counters.duplicates === 1, 10_000, 'the copy counted as a duplicate');
  // a malformed event is counted and acknowledged (replaying it could never succeed)
  assert.equal(await publishOutcome(box, '{not json'), 'acked');
  assert.equal(stats.snapshot().rejected.PAYLOAD_NOT_JSON, 1);
});

test('in-process: a stopping ingestor refuses events without a PUBACK, so the box keeps them', async (t) => {
  const { url, password, events, ingestor } = await setUp(t, (inner) => inner);
  const box = await connectBox(t, url, hall, password);
  assert.equal(await publishOutcome(box, env('before')), 'acked');
  await ingestor.stop();
  assert.equal(await publishOutcome(box, env('after', 2)), 'none', 'the session closed without acknowledging');
  assert.deepEqual((await events.list(hall.box)).map((e) => e.id), ['before']);
});

test('the master: events go to the store in-process, the event topic stays open to other subscribers', async (t) => {
  const m = await startMaster(t);
  const { password } = await m.credentials.addBox(hall.box, hall.region);
  await m.credentials.setService('monitor', 'monitor-secret');
  const watcher = await mqtt.connectAsync(m.urls.mqtt!, { clientId: 'monitor-1', username: 'monitor', password: 'monitor-secret', reconnectPeriod: 0 });
  t.after(() => watcher.endAsync(true));
  const seen: string[] = [];
  watcher.on('message', (_topic, payload) => seen.push(JSON.parse(payload.toString()).id));
  await watcher.subscribeAsync('kefu/v1/+/+/evt/#', { qos: 1 });
  const box = await connectBox(t, m.urls.mqtt!, hall, password);
  for (let i = 1; i <= 20; i++) assert.equal(await publishOutcome(box, env(`e-${i}`, i)), 'acked');
  assert.equal((await m.events.list(hall.box)).length, 20, 'stored before each PUBACK');
  await waitFor(() => seen.length === 20, 10_000, 'the subscriber received every event');
  assert.equal(m.stats().ingest.events, 20);
});
