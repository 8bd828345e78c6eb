import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRootStore, sublevel, type Store } from '../../daemon/store.js';
import { createOutbox } from '../../daemon/outbox/index.js';
import { silentLogger } from '../../daemon/logger.js';
import { EventEnvelope } from '../../protocol/schemas.js';
import { tempDir } from '../helpers/tmp.js';

async function openStore(t: { after(fn: () => unknown): void }, dir: string) {
  const root = createRootStore(dir);
  await root.open();
  return { root, store: sublevel(root, 'outbox') };
}

async function storedSeqs(store: Store): Promise<number[]> {
  const seqs: number[] = [];
  for await (const [key, value] of store.iterator({ gte: '0:', lt: '9', valueEncoding: 'utf8' } as never) as AsyncIterable<[string, string]>) {
    assert.ok(key);
    for (const line of value.split('\n')) seqs.push(Number(line.split('\t')[0]));
  }
  return seqs;
}

test('enqueue resolves only after a synced batch holding the event', async (t) => {
  const dir = await tempDir(t);
  const { root, store } = await openStore(t, dir);
  t.after(() => root.close());
  const batches: Array<{ sync: boolean; n: number }> = [];
  const realBatch = store.batch.bind(store);
  (store as { batch: unknown }).batch = (ops: unknown[], o: { sync?: boolean }) => { batches.push({ sync: !!o?.sync, n: ops.length }); return realBatch(ops as never, o as never); };
  const outbox = createOutbox({ store, log: silentLogger(), maxBytes: 1e6, groupCommitMs: 5 });
  await outbox.open();
  const results = await Promise.all(Array.from({ length: 50 }, (_, i) => outbox.enqueue({ topic: `t/${i}`, class: 'event', data: { i } })));
  assert.deepEqual(results.map((r) => r.seq), Array.from({ length: 50 }, (_, i) => i + 1));
  assert.deepEqual((await storedSeqs(store)).sort((a, b) => a - b), results.map((r) => r.seq), 'on disk before resolve');
  assert.ok(batches.length >= 1 && batches.length <= 3, `group commit gathered 50 enqueues into ${batches.length} batches`);
  assert.ok(batches.every((b) => b.sync), 'every batch with new events is synced');
  const [first] = outbox.take(undefined, 1);
  const env = EventEnvelope.parse(JSON.parse(first.payload));
  assert.equal(env.seq, 1);
  assert.equal(env.class, 'event');
  assert.deepEqual(env.data, { i: 0 });
  await outbox.close();
});

test('after a reopen: order per class kept, seq never reused, acked events gone', async (t) => {
  const dir = await tempDir(t);
  let { root, store } = await openStore(t, dir);
  let outbox = createOutbox({ store, log: silentLogger(), maxBytes: 1e6, groupCommitMs: 1, maxSegmentEntries: 4 });
  await outbox.open();
  const classes = ['bulk', 'event', 'critical', 'telemetry'] as const;
  for (let i = 0; i < 40; i++) await outbox.enqueue({ topic: 't', class: classes[i % 4], data: i });
  const sent = outbox.take(undefined, 15);
  for (const e of sent.slice(0, 12)) outbox.ack(e.seq); // 10 critical, then 2 events acked; 3 left in flight
  await outbox.close();
  await root.close();

  ({ root, store } = await openStore(t, dir));
  t.after(() => root.close());
  outbox = createOutbox({ store, log: silentLogger(), maxBytes: 1e6, groupCommitMs: 1, maxSegmentEntries: 4 });
  await outbox.open();
  assert.equal(outbox.stats().lastSeq, 40);
  const rest = outbox.take(undefined, 100);
  const acked = new Set(sent.slice(0, 12).map((e) => e.seq));
  assert.ok(rest.every((e) => !acked.has(e.seq)), 'acked events do not come back');
  assert.equal(rest.length, 28);
  for (const cls of classes) {
    const seqs = rest.filter((e) => e.cls === cls).map((e) => e.seq);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), `${cls} in seq order`);
  }
  assert.deepEqual([...new Set(rest.map((e) => e.cls))], ['event', 'telemetry', 'bulk'], 'replay by class rank');
  const next = await outbox.enqueue({ topic: 't', class: 'event', data: 'after' });
  assert.equal(next.seq, 41, 'the persisted counter continues');
  await outbox.close();
});

test('full outbox evicts the lowest class first, counts every loss and keeps the counts across a reopen', async (t) => {
  const dir = await tempDir(t);
  let { root, store } = await openStore(t, dir);
  const payload = 'x'.repeat(400);
  let outbox = createOutbox({ store, log: silentLogger(), maxBytes: 10_000, groupCommitMs: 1 });
  await outbox.open();
  for (let i = 0; i < 10; i++) await outbox.enqueue({ topic: 't/bulk', class: 'bulk', data: payload });
  for (let i = 0; i < 6; i++) await outbox.enqueue({ topic: 't/tel', class: 'telemetry', data: payload });
  for (let i = 0; i < 12; i++) await outbox.enqueue({ topic: 't/evt', class: 'event', data: payload });
  const s = outbox.stats();
  assert.ok(s.bytes <= 10_000);
  assert.equal(s.pending.bulk, 0, 'bulk went first');
  assert.equal(s.losses.bulk, 10);
  assert.ok(s.losses.telemetry > 0 && s.pending.event === 12, 'then telemetry; no event lost');
  assert.equal(s.losses.event + s.losses.critical, 0);
  // a class cannot push out a higher one: telemetry is refused once only events are left
  while (outbox.stats().pending.telemetry > 0) await outbox.enqueue({ topic: 't/evt', class: 'event', data: payload });
  await assert.rejects(outbox.enqueue({ topic: 't/tel', class: 'telemetry', data: payload }), { code: 'OUTBOX_FULL' });
  const losses = outbox.stats().losses;
  await outbox.close();
  await root.close();
  ({ root, store } = await openStore(t, dir));
  t.after(() => root.close());
  outbox = createOutbox({ store, log: silentLogger(), maxBytes: 10_000, groupCommitMs: 1 });
  await outbox.open();
  assert.deepEqual(outbox.stats().losses, losses);
  assert.equal(outbox.stats().pending.bulk + outbox.stats().pending.telemetry, 0, 'evicted events stay evicted on disk');
  await outbox.close();
});

test('enqueue refuses bad input with a code and a closed outbox refuses everything', async (t) => {
  const dir = await tempDir(t);
  const { root, store } = await openStore(t, dir);
  t.after(() => root.close());
  const outbox = createOutbox({ store, log: silentLogger(), maxBytes: 1000, groupCommitMs: 1 });
  await assert.rejects(outbox.enqueue({ topic: 't', class: 'event', data: 1 }), { code: 'OUTBOX_CLOSED' });
  await outbox.open();
  await assert.rejects(outbox.enqueue({ topic: 'a\tb', class: 'event', data: 1 }), { code: 'OUTBOX_BAD_TOPIC' });
  await assert.rejects(outbox.enqueue({ topic: 't', class: 'nope' as never, data: 1 }), { code: 'OUTBOX_BAD_CLASS' });
  await assert.rejects(outbox.enqueue({ topic: 't', class: 'event', data: 10n as never }), { code: 'OUTBOX_NOT_SERIALISABLE' });
  await assert.rejects(outbox.enqueue({ topic: 't', class: 'critical', data: 'x'.repeat(2000) }), { code: 'OUTBOX_FULL' });
  assert.equal(outbox.stats().losses.critical, 1);
  await outbox.close();
});
