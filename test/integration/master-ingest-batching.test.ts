// Group-committed ingestion: dedupe across and within batches (also after a restart, from level), a failed
// batch leaves its ids unknown, expiry entries per batch; and the master's PUBACK to the broker follows the
// commit, so a master that dies between receiving and storing loses nothing (a real aedes and mqtt.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { createRootStore, sublevel, type RootStore } from '../../daemon/store.js';
import { silentLogger } from '../../daemon/logger.js';
import { createCommandApi } from '../../master/commands/command-api.js';
import { createFleetRegistry } from '../../master/fleet/registry.js';
import { createEventStore, type EventStore } from '../../master/ingest/event-store.js';
import { createIngestStats } from '../../master/ingest/ingest-stats.js';
import { createIngestor } from '../../master/ingest/ingestor.js';
import { createTelemetryStore } from '../../master/ingest/telemetry-store.js';
import { topics } from '../../protocol/topics.js';
import { startBroker } from '../helpers/aedes-broker.js';
import { tempDir } from '../helpers/tmp.js';
import { waitFor } from './master-fixtures.js';

type Ctx = Parameters<typeof tempDir>[0];
const ref = { region: 'dandong', box: 'hall-01', plugin: 'chat', type: 'message' };
const env = (id: string, seq = 1) => ({ v: 1 as const, id, seq, ts: 1_700_000_000_000 + seq, data: { text: id } });

async function openRoot(t: Ctx, dir?: string): Promise<RootStore> {
  const root = createRootStore(join(dir ?? (await tempDir(t)), 'store'));
  await root.open();
  t.after(() => root.close());
  return root;
}

/** Counts the keys (getMany) or ops (batch) the store hands to level through `method`. */
function countItems(root: RootStore, method: 'getMany' | 'batch'): { readonly n: number } {
  const counter = { n: 0 };
  const target = root as unknown as Record<string, (...args: unknown[]) => unknown>;
  const original = target[method].bind(root);
  target[method] = (...args: unknown[]) => { counter.n += (args[0] as unknown[]).length; return original(...args); };
  return counter;
}

test('a batch stores each id once: copies in the batch, in the batch before and in level after a restart are duplicates', async (t) => {
  const dir = await tempDir(t);
  const root = await openRoot(t, dir);
  const store = createEventStore(root);
  assert.deepEqual(await store.putMany([{ ref, env: env('a') }, { ref, env: env('a') }, { ref, env: env('b', 2) }]), ['stored', 'duplicate', 'stored']);
  // two batches racing with the same id: batches are serialised, so the second sees the first
  const [x, y] = await Promise.all([store.putMany([{ ref, env: env('c', 3) }]), store.putMany([{ ref, env: env('c', 3) }, { ref, env: env('a') }])]);
  assert.deepEqual([x, y], [['stored'], ['duplicate', 'duplicate']]);
  assert.equal(await store.put({ ...ref, box: 'hall-02' }, env('a')), 'stored', 'ids are per box');
  await root.close();

  const reopened = createRootStore(join(dir, 'store'));
  await reopened.open();
  t.after(() => reopened.close());
  const fresh = createEventStore(reopened); // a fresh process: level answers
  assert.deepEqual(await fresh.putMany([{ ref, env: env('a') }, { ref, env: env('d', 4) }, { ref, env: env('d', 4) }]), ['duplicate', 'stored', 'duplicate']);
  assert.deepEqual((await fresh.list('hall-01')).map((e) => e.id), ['d', 'c', 'b', 'a']);
});

test('a batch that fails to write stores nothing and leaves its ids unknown, so the redelivery is stored', async (t) => {
  const root = await openRoot(t);
  const store = createEventStore(root);
  const target = root as unknown as { batch: (...args: unknown[]) => unknown };
  const batch = target.batch.bind(root);
  let fail = true;
  target.batch = (...args: unknown[]) => {
    if (fail && Array.isArray(args[0])) { fail = false; return Promise.reject(new Error('disk full')); }
    return batch(...args);
  };
  await assert.rejects(store.putMany([{ ref, env: env('a') }, { ref, env: env('b', 2) }]), /disk full/);
  assert.deepEqual(await store.list('hall-01'), []);
  assert.deepEqual(await store.putMany([{ ref, env: env('a') }, { ref, env: env('b', 2) }]), ['stored', 'stored']);
});

test('one level op per event: the event, keyed by box and id, is its own dedupe index; one page per box and commit', async (t) => {
  const root = await openRoot(t);
  const ops = countItems(root, 'batch');
  const store = createEventStore(root);
  assert.deepEqual(await store.putMany([{ ref, env: env('a') }, { ref, env: env('b', 2) }, { ref, env: env('c', 3) }]), ['stored', 'stored', 'stored']);
  assert.equal(ops.n, 3 + 1 + 1, 'three events + their page + the high-water mark');
  // below the mark: level is asked; a copy is the same id, whatever its ts says
  assert.deepEqual(await store.putMany([{ ref, env: { ...env('a'), ts: 1 } }, { ref, env: env('b', 2) }]), ['duplicate', 'duplicate']);
  // retention ends the memory of an event: past it, the same id is a new event again
  await store.pruneEvents(['hall-01'], Date.now() + 60_000);
  assert.deepEqual(await store.list('hall-01'), []);
  assert.deepEqual(await store.putMany([{ ref, env: env('a') }, { ref, env: env('c', 3) }]), ['stored', 'stored']);
  assert.deepEqual((await store.list('hall-01')).map((e) => e.id), ['c', 'a']);
});

test('a store in the layout of older masters (one key per box, ts, seq, id + a per-id index) is rewritten on open', async (t) => {
  const root = await openRoot(t);
  const legacy = sublevel(root, 'events');
  const old = (box: string, id: string, seq: number) => legacy.put(`${box}!${String(1000 + seq).padStart(15, '0')}!${String(seq).padStart(15, '0')}!${id}`, { id, box, region: 'dandong', plugin: 'chat', type: 'message', seq, ts: 1000 + seq, data: {}, receivedAt: 5000 + seq });
  for (let i = 1; i <= 5; i++) await old('hall-01', `h1-${i}`, i);
  await old('hall-02', 'h2-1', 1);
  await sublevel(root, 'dedupe').put('hall-01!h1-1', 9000);
  await sublevel(root, 'dedupe-by-time').put('000000000009000!hall-01!h1-1', 'hall-01!h1-1');
  const store = createEventStore(root);
  assert.deepEqual((await store.list('hall-01')).map((e) => e.id), ['h1-5', 'h1-4', 'h1-3', 'h1-2', 'h1-1']);
  assert.deepEqual((await store.list('hall-02')).map((e) => e.id), ['h2-1']);
  for (const name of ['events', 'dedupe', 'dedupe-by-time']) assert.deepEqual(await sublevel(root, name).keys().all(), [], `${name} emptied`);
  assert.deepEqual(await store.putMany([{ ref, env: env('h1-3', 3) }, { ref, env: env('h1-6', 6) }]), ['duplicate', 'stored']);
  assert.equal((await store.list('hall-01'))[0].id, 'h1-6');
});

// --- PUBACK after commit, against a real broker ---

function gatedStore(inner: EventStore) {
  let open = true;
  let waiting: Array<() => void> = [];
  const store: EventStore = {
    ...inner,
    async putMany(items, now) {
      while (!open) await new Promise<void>((r) => waiting.push(r));
      return inner.putMany(items, now);
    },
  };
  return {
    store,
    close() { open = false; },
    open() { open = true; for (const r of waiting.splice(0)) r(); },
  };
}

/** An aedes broker that counts the PUBACKs the master sends it. */
async function ackCountingBroker(t: Ctx) {
  const broker = await startBroker();
  t.after(() => broker.stop());
  const acks = { n: 0 };
  broker.aedes!.on('ack', (_p, client) => { if (client?.id === 'kefu-master-main') acks.n++; });
  return { broker, acks };
}

async function masterClient(t: Ctx, port: number): Promise<MqttClient> {
  const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'kefu-master-main', clean: false, reconnectPeriod: 0 });
  t.after(() => c.endAsync(true));
  return c;
}

function ingestorFor(client: MqttClient, events: EventStore) {
  const log = silentLogger();
  const registry = createFleetRegistry();
  const stats = createIngestStats();
  const ingestor = createIngestor({
    client: () => client, registry, events, telemetry: createTelemetryStore({ historyLength: 5 }),
    commands: createCommandApi({ client: () => client, registry, log, defaultTimeoutMs: 1000 }), stats, log, maxPayloadBytes: 64 * 1024, sharedGroup: null,
  });
  return { ingestor, stats };
}

test('the master acknowledges an event to the broker only after it is stored; dying before the commit loses nothing', async (t) => {
  const broker = await startBroker();
  t.after(() => broker.stop());
  const acked: number[] = [];
  broker.aedes!.on('ack', (packet, client) => { if (client?.id === 'kefu-master-main' && packet && 'messageId' in packet) acked.push(packet.messageId as number); });
  const root = await openRoot(t);
  const events = createEventStore(root);
  const gate = gatedStore(events);

  const first = await masterClient(t, broker.port);
  const a = ingestorFor(first, gate.store);
  await a.ingestor.start();
  const box = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { clientId: 'hall-01', reconnectPeriod: 0 });
  t.after(() => box.endAsync(true));
  const evt = topics.event(ref, 'chat', 'message');

  await box.publishAsync(evt, JSON.stringify(env('stored-1')), { qos: 1 });
  await waitFor(() => a.stats.counters.events === 1 && acked.length === 1, 10_000, 'the first event stored and acknowledged');

  gate.close(); // the store stalls, as if the master were about to crash
  for (const id of ['held-1', 'held-2', 'held-3']) await box.publishAsync(evt, JSON.stringify(env(id, 2)), { qos: 1 }); // the broker PUBACKs the box
  await waitFor(() => a.stats.counters.received === 4, 10_000, 'the master received the three events');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(acked.length, 1, 'no PUBACK to the broker for events not yet stored');
  first.stream.destroy(); // the master dies: no DISCONNECT, nothing stored
  await waitFor(() => first.disconnected || !first.connected, 5000, 'the master link closed');
  gate.open(); // whatever the dead master still commits, its PUBACKs cannot reach the broker
  await a.ingestor.stop();

  const second = await masterClient(t, broker.port); // the restarted master resumes its persistent session
  const b = ingestorFor(second, createEventStore(root));
  b.ingestor.start().catch(() => undefined);
  await waitFor(async () => (await events.list('hall-01')).length === 4, 15_000, 'the held events redelivered and stored');
  await waitFor(() => b.stats.counters.events + b.stats.counters.duplicates >= 3, 15_000, 'the second master processed the redeliveries');
  await b.ingestor.stop();
  assert.deepEqual((await events.list('hall-01')).map((e) => e.id).sort(), ['held-1', 'held-2', 'held-3', 'stored-1'], 'each event once');
});

test('a burst is stored in a few batches and every event is acknowledged once', async (t) => {
  const { broker, acks } = await ackCountingBroker(t);
  const root = await openRoot(t);
  const events = createEventStore(root);
  let batches = 0;
  const counting: EventStore = { ...events, putMany: (items, now) => { batches++; return events.putMany(items, now); } };
  const client = await masterClient(t, broker.port);
  const { ingestor, stats } = ingestorFor(client, counting);
  await ingestor.start();
  const box = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { clientId: 'hall-01', reconnectPeriod: 0 });
  t.after(() => box.endAsync(true));
  const n = 2000;
  // every id twice, back to back: one copy stored, one duplicate
  await Promise.all(Array.from({ length: n }, (_, i) => box.publishAsync(topics.event(ref, 'chat', 'message'), JSON.stringify(env(`e-${i >> 1}`, i >> 1)), { qos: 1 })));
  await waitFor(() => stats.counters.events + stats.counters.duplicates === n && acks.n === n, 30_000, `all ${n} processed and acknowledged`);
  await ingestor.stop();
  assert.equal(stats.counters.events, n / 2);
  assert.equal(stats.counters.duplicates, n / 2);
  assert.ok(batches < n / 4, `group commit: ${batches} batches for ${n} events`);
  assert.equal((await events.list('hall-01', { limit: 1000 })).length, n / 2);
});

test('a failed store write is retried while the master runs; the event is acknowledged once stored', async (t) => {
  const { broker, acks } = await ackCountingBroker(t);
  const root = await openRoot(t);
  const events = createEventStore(root);
  let failures = 1;
  const flaky: EventStore = { ...events, putMany: (items, now) => (failures-- > 0 ? Promise.reject(new Error('disk full')) : events.putMany(items, now)) };
  const client = await masterClient(t, broker.port);
  const { ingestor, stats } = ingestorFor(client, flaky);
  await ingestor.start();
  t.after(() => ingestor.stop());
  const box = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { clientId: 'hall-01', reconnectPeriod: 0 });
  t.after(() => box.endAsync(true));
  await box.publishAsync(topics.event(ref, 'chat', 'message'), JSON.stringify(env('retry-me')), { qos: 1 });
  await waitFor(() => stats.snapshot().rejected.INGEST_FAILED === 1, 10_000, 'the failed write counted');
  assert.equal(acks.n, 0, 'not acknowledged while not stored');
  await waitFor(() => stats.counters.events === 1 && acks.n === 1, 10_000, 'stored by the retry, then acknowledged');
  assert.deepEqual((await events.list('hall-01')).map((e) => e.id), ['retry-me']);
});

test('events arriving while the ingestor stops are left to the broker and stored by the next session', async (t) => {
  const { broker, acks } = await ackCountingBroker(t);
  const root = await openRoot(t);
  const events = createEventStore(root);
  const first = await masterClient(t, broker.port);
  const a = ingestorFor(first, events);
  await a.ingestor.start();
  await a.ingestor.stop(); // the link stays up a moment longer, as in master.stop()
  const box = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { clientId: 'hall-01', reconnectPeriod: 0 });
  t.after(() => box.endAsync(true));
  await box.publishAsync(topics.event(ref, 'chat', 'message'), JSON.stringify(env('during-stop')), { qos: 1 });
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(acks.n, 0, 'not ingested, so not acknowledged');
  await first.endAsync();

  const second = await masterClient(t, broker.port);
  const b = ingestorFor(second, events);
  await b.ingestor.start();
  t.after(() => b.ingestor.stop());
  await waitFor(() => b.stats.counters.events === 1 && acks.n === 1, 10_000, 'redelivered to the next session, stored, acknowledged');
  assert.deepEqual((await events.list('hall-01')).map((e) => e.id), ['during-stop']);
});

test('an event above its box high-water seq is stored without a dedupe lookup; copies at or below it are still found', async (t) => {
  const dir = await tempDir(t);
  const root = await openRoot(t, dir);
  const lookups = countItems(root, 'getMany');
  const store = createEventStore(root);
  await store.putMany([{ ref, env: env('a', 1) }, { ref, env: env('b', 2) }]);
  const before = lookups.n;
  assert.deepEqual(await store.putMany([{ ref, env: env('c', 3) }, { ref, env: env('d', 4) }]), ['stored', 'stored']);
  assert.equal(lookups.n, before, 'seq above the mark: no lookup');
  // 'a' is at or below the mark, so level is asked and knows it
  assert.deepEqual(await store.putMany([{ ref, env: env('a', 1) }, { ref, env: env('e', 5) }]), ['duplicate', 'stored']);
  assert.equal(lookups.n, before + 1, 'one lookup, for the copy');
  await root.close();

  // after a restart the mark comes back from level with the events it covers
  const reopened = createRootStore(join(dir, 'store'));
  await reopened.open();
  t.after(() => reopened.close());
  const fresh = createEventStore(reopened);
  assert.deepEqual(await fresh.putMany([{ ref, env: env('d', 4) }, { ref, env: env('f', 6) }]), ['duplicate', 'stored']);
});

test('a store of an older master without marks gets them from its migrated events: copies are found, new seqs are not looked up', async (t) => {
  const root = await openRoot(t);
  const lookups = countItems(root, 'getMany');
  const store = createEventStore(root);
  // an event as an older master stored it: no mark
  await sublevel(root, 'events').put(`hall-01!${'1'.padStart(15, '0')}!${'9'.padStart(15, '0')}!old`, { id: 'old', seq: 9, ts: 1 });
  assert.deepEqual(await store.putMany([{ ref, env: env('old', 9) }]), ['duplicate']);
  const before = lookups.n;
  assert.deepEqual(await store.putMany([{ ref, env: env('new', 10) }]), ['stored']);
  assert.equal(lookups.n, before, 'above the mark taken from the migrated events: no lookup');
});

test('the record keeps the envelope bytes as the box sent them; list() gives the stored event back', async (t) => {
  const root = await openRoot(t);
  const store = createEventStore(root);
  const e = { v: 1 as const, id: 'zh-1', seq: 7, ts: 1_700_000_000_007, class: 'event' as const, data: { text: '您好，我想咨询发票申领', n: 1 } };
  const raw = Buffer.from(`  ${JSON.stringify(e, null, 2)}\n`); // whitespace and all: valid JSON is stored as it came
  assert.deepEqual(await store.putMany([{ ref, env: e, raw }], 42), ['stored']);
  const [stored] = await store.list('hall-01');
  assert.deepEqual(stored, { id: 'zh-1', box: 'hall-01', region: 'dandong', plugin: 'chat', type: 'message', seq: 7, ts: 1_700_000_000_007, class: 'event', data: e.data, receivedAt: 42 });
  const record = (await sublevel(root, 'event-by-id').getMany(['hall-01!zh-1']))[0];
  assert.ok(record !== undefined, 'stored under box!id');
});
