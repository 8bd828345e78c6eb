import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRootStore, sublevel, type Store } from '../../daemon/store.js';
import { createOutbox } from '../../daemon/outbox/index.js';
import { silentLogger } from '../../daemon/logger.js';
import { EventEnvelope } from '../../protocol/schemas.js';
import { tempDir } from '../helpers/tmp.js';
import { join } from 'node:path';
import { setTimeout as realSetTimeout } from 'node:timers';

async function openStore(t: { after(fn: () => unknown): void }, dir: string) {
  const root = createRootStore(dir);
  await root.open();
  return { root, store: sublevel(root, 'outbox') };
}

/** A restart: closes the outbox and its store, then opens both again on the same folder. */
async function reopen(t: { after(fn: () => unknown): void }, dir: string, prev: { outbox: ReturnType<typeof createOutbox>; root: { close(): Promise<void> } },
  opts: Omit<Parameters<typeof createOutbox>[0], 'store'>) {
  await prev.outbox.close();
  await prev.root.close();
  const { root, store } = await openStore(t, dir);
  t.after(() => root.close());
  const outbox = createOutbox({ store, ...opts });
  await outbox.open();
  return { root, store, outbox };
}

async function storedSeqs(store: Store): Promise<number[]> {
  const seqs: number[] = [];
  for await (const [key, value] of store.iterator({ gte: '0:', lt: '9', valueEncoding: 'utf8' } as never) as AsyncIterable<[string, string]>) {
    assert.ok(key);
    for (const line of value.split('\n')) seqs.push(Number(line.split('\t')[0]));
  }
  return seqs;
}

/** Both ways to be durable: a synced level batch per commit, or the write-ahead log in front of level. */
const MODES = [
  { name: 'level', opts: (_dir: string) => ({}) },
  { name: 'wal', opts: (dir: string) => ({ walDir: join(dir, 'wal') }) },
] as const;

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
  const env = EventEnvelope.parse(JSON.parse(first.payload.toString()));
  assert.equal(env.seq, 1);
  assert.equal(env.class, 'event');
  assert.deepEqual(env.data, { i: 0 });
  await outbox.close();
});

test('events evicted while their batch is being written do not come back from disk', async (t) => {
  const dir = await tempDir(t);
  let { root, store } = await openStore(t, dir);
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  const realBatch = store.batch.bind(store);
  let held = 0;
  (store as { batch: unknown }).batch = async (ops: unknown[], o: unknown) => { if (held++ === 0) await gate; return realBatch(ops as never, o as never); };
  const opts = { log: silentLogger(), maxBytes: 3_000, groupCommitMs: 1 };
  let outbox = createOutbox({ store, ...opts });
  await outbox.open();
  const bulk = Array.from({ length: 5 }, (_, i) => outbox.enqueue({ topic: 't', class: 'bulk', data: 'b'.repeat(400) + i }));
  await new Promise((r) => setTimeout(r, 20)); // the bulk batch is now held inside store.batch
  const crit = Array.from({ length: 5 }, (_, i) => outbox.enqueue({ topic: 't', class: 'critical', data: 'c'.repeat(400) + i }));
  release();
  await Promise.all([...bulk, ...crit]);
  const s = outbox.stats();
  assert.ok(s.losses.bulk >= 3, `bulk evicted during the write (${s.losses.bulk})`);
  ({ root, outbox } = await reopen(t, dir, { outbox, root }, opts));
  assert.deepEqual(outbox.stats().pending, s.pending, 'disk agrees with memory');
  await outbox.close();
});

test('a failed disk write rejects the waiting enqueues with a code and loses nothing already stored', async (t) => {
  const dir = await tempDir(t);
  const { root, store } = await openStore(t, dir);
  t.after(() => root.close());
  const outbox = createOutbox({ store, log: silentLogger(), maxBytes: 1e6, groupCommitMs: 1 });
  await outbox.open();
  const kept = await outbox.enqueue({ topic: 't', class: 'event', data: 'kept' });
  const realBatch = store.batch.bind(store);
  let fail = true;
  (store as { batch: unknown }).batch = (ops: unknown[], o: unknown) => (fail ? Promise.reject(Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' })) : realBatch(ops as never, o as never));
  await assert.rejects(outbox.enqueue({ topic: 't', class: 'event', data: 'lost' }), { code: 'OUTBOX_WRITE_FAILED' });
  fail = false;
  const after = await outbox.enqueue({ topic: 't', class: 'event', data: 'after' });
  assert.ok(after.seq > kept.seq);
  assert.deepEqual(outbox.take(undefined, 10).map((e) => JSON.parse(e.payload.toString()).data), ['kept', 'after']);
  await outbox.close();
});

for (const mode of MODES) {
  test(`${mode.name}: after a reopen: order per class kept, seq never reused, acked events gone`, async (t) => {
    const dir = await tempDir(t);
    let { root, store } = await openStore(t, dir);
    let outbox = createOutbox({ store, ...mode.opts(dir), log: silentLogger(), maxBytes: 1e6, groupCommitMs: 1, maxSegmentEntries: 4 });
    await outbox.open();
    const classes = ['bulk', 'event', 'critical', 'telemetry'] as const;
    for (let i = 0; i < 40; i++) await outbox.enqueue({ topic: 't', class: classes[i % 4], data: i });
    const sent = outbox.take(undefined, 15);
    for (const e of sent.slice(0, 12)) outbox.ack(e.seq); // 10 critical, then 2 events acked; 3 left in flight
    ({ root, outbox } = await reopen(t, dir, { outbox, root }, { ...mode.opts(dir), log: silentLogger(), maxBytes: 1e6, groupCommitMs: 1, maxSegmentEntries: 4 }));
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

  test(`${mode.name}: full outbox evicts the lowest class first, counts every loss and keeps the counts across a reopen`, async (t) => {
    const dir = await tempDir(t);
    let { root, store } = await openStore(t, dir);
    // sized so that 15-17 events fit in 10,000 bytes whatever the id scheme (36-char UUIDs or 14-char prefix + counter)
    const payload = 'x'.repeat(450);
    let outbox = createOutbox({ store, ...mode.opts(dir), log: silentLogger(), maxBytes: 10_000, groupCommitMs: 1 });
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
    ({ root, outbox } = await reopen(t, dir, { outbox, root }, { ...mode.opts(dir), log: silentLogger(), maxBytes: 10_000, groupCommitMs: 1 }));
    assert.deepEqual(outbox.stats().losses, losses);
    assert.equal(outbox.stats().pending.bulk + outbox.stats().pending.telemetry, 0, 'evicted events stay evicted on disk');
    await outbox.close();
  });

  test(`${mode.name}: enqueue refuses bad input with a code and a closed outbox refuses everything`, async (t) => {
    const dir = await tempDir(t);
    const { root, store } = await openStore(t, dir);
    t.after(() => root.close());
    const outbox = createOutbox({ store, ...mode.opts(dir), log: silentLogger(), maxBytes: 1000, groupCommitMs: 1 });
    await assert.rejects(outbox.enqueue({ topic: 't', class: 'event', data: 1 }), { code: 'OUTBOX_CLOSED' });
    await outbox.open();
    await assert.rejects(outbox.enqueue({ topic: 'a\tb', class: 'event', data: 1 }), { code: 'OUTBOX_BAD_TOPIC' });
    await assert.rejects(outbox.enqueue({ topic: 't', class: 'nope' as never, data: 1 }), { code: 'OUTBOX_BAD_CLASS' });
    await assert.rejects(outbox.enqueue({ topic: 't', class: 'event', data: 10n as never }), { code: 'OUTBOX_NOT_SERIALISABLE' });
    await assert.rejects(outbox.enqueue({ topic: 't', class: 'critical', data: 'x'.repeat(2000) }), { code: 'OUTBOX_FULL' });
    assert.equal(outbox.stats().losses.critical, 1);
    await outbox.close();
  });

  test(`${mode.name}: beyond its memory budget the outbox keeps payloads on disk and still sends everything in order`, async (t) => {
    const dir = await tempDir(t);
    let { root, store } = await openStore(t, dir);
    const opts = { ...mode.opts(dir), log: silentLogger(), maxBytes: 1e7, memoryBytes: 8_000, groupCommitMs: 1, maxSegmentEntries: 10 };
    let outbox = createOutbox({ store, ...opts });
    await outbox.open();
    const classes = ['event', 'bulk', 'critical'] as const;
    const ids: string[] = [];
    for (let i = 0; i < 300; i++) ids.push((await outbox.enqueue({ topic: 't', class: classes[i % 3], data: { i, pad: 'p'.repeat(100) } })).id);
    assert.ok(outbox.stats().residentBytes <= 8_000 + 10 * 300, `resident ${outbox.stats().residentBytes} stays near the budget`);
    assert.ok(outbox.stats().residentBytes < outbox.stats().bytes / 3, 'most payloads are only on disk');
    ({ root, outbox } = await reopen(t, dir, { outbox, root }, opts));
    assert.ok(outbox.stats().residentBytes <= 8_000 + 10 * 300, 'reopen loads within the budget too');
    const got: Array<{ id: string; seq: number; cls: string; data: { i: number } }> = [];
    await new Promise<void>((resolve) => {
      const drain = () => {
        for (const e of outbox.take(undefined, 7)) {
          const env = JSON.parse(e.payload.toString());
          got.push({ id: env.id, seq: env.seq, cls: e.cls, data: env.data });
          outbox.ack(e.seq);
        }
        if (got.length === 300) resolve();
        else setImmediate(drain);
      };
      drain();
    });
    assert.deepEqual(new Set(got.map((g) => g.id)), new Set(ids));
    for (const cls of classes) {
      const seqs = got.filter((g) => g.cls === cls).map((g) => g.seq);
      assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
    }
    await outbox.close();
  });

  test(`${mode.name}: evicting from a segment whose payloads are only on disk rewrites it correctly`, async (t) => {
    const dir = await tempDir(t);
    let { root, store } = await openStore(t, dir);
    const opts = { ...mode.opts(dir), log: silentLogger(), maxBytes: 20_000, memoryBytes: 2_000, groupCommitMs: 1, maxSegmentEntries: 50 };
    let outbox = createOutbox({ store, ...opts });
    await outbox.open();
    for (let i = 0; i < 60; i++) await outbox.enqueue({ topic: 't', class: 'bulk', data: { i, pad: 'b'.repeat(150) } });
    for (let i = 0; i < 40; i++) await outbox.enqueue({ topic: 't', class: 'critical', data: { i, pad: 'c'.repeat(150) } });
    const s = outbox.stats();
    assert.ok(s.residentBytes < s.bytes / 2, 'the bulk segments went cold before the eviction');
    assert.ok(s.losses.bulk > 0, 'bulk evicted for critical');
    assert.equal(s.pending.critical, 40);
    ({ root, outbox } = await reopen(t, dir, { outbox, root }, opts));
    assert.deepEqual(outbox.stats().pending, s.pending, 'the same events after a reopen');
    const bulk: number[] = [];
    await new Promise<void>((resolve) => {
      const drain = () => {
        for (const e of outbox.take(undefined, 100)) { if (e.cls === 'bulk') bulk.push(JSON.parse(e.payload.toString()).data.i); outbox.ack(e.seq); }
        if (outbox.stats().bytes === 0) resolve(); else setImmediate(drain);
      };
      drain();
    });
    assert.equal(bulk.length, s.pending.bulk);
    assert.deepEqual(bulk, Array.from({ length: bulk.length }, (_, k) => 60 - bulk.length + k), 'the newest bulk survived, oldest evicted');
    await outbox.close();
  });

  test(`${mode.name}: an enqueue does not wait behind the lazy timer that acks set (it once added up to 20 ms)`, async (t) => {
    const dir = await tempDir(t);
    const { root, store } = await openStore(t, dir);
    t.after(() => root.close());
    const outbox = createOutbox({ store, ...mode.opts(dir), log: silentLogger(), maxBytes: 1e6, groupCommitMs: 0 });
    await outbox.open();
    await outbox.enqueue({ topic: 't', class: 'event', data: 'first' });
    await new Promise((r) => setImmediate(r)); // the first commit has wound down: nothing is being written
    // from here on timeouts never fire on their own: only setImmediate and the disk move the outbox
    t.mock.timers.enable({ apis: ['setTimeout'] });
    for (const e of outbox.take(undefined, 10)) outbox.ack(e.seq); // acks schedule the lazy timer
    const next = outbox.enqueue({ topic: 't', class: 'event', data: 'second' });
    const won = await Promise.race([next.then(() => 'committed'), new Promise((r) => setImmediate(() => realSetTimeout(() => r('stuck'), 5_000)))]);
    assert.equal(won, 'committed');
    t.mock.timers.reset();
    await outbox.close();
  });
}

test('envelope ids are unique within a run and across a restart, and valid under the contract', async (t) => {
  const dir = await tempDir(t);
  let { root, store } = await openStore(t, dir);
  let outbox = createOutbox({ store, log: silentLogger(), maxBytes: 1_000_000 });
  await outbox.open();
  const ids = new Set<string>();
  for (let i = 0; i < 200; i++) ids.add((await outbox.enqueue({ topic: 't/evt', class: 'event', data: i })).id);
  ({ root, outbox } = await reopen(t, dir, { outbox, root }, { log: silentLogger(), maxBytes: 1_000_000 }));
  const after = await Promise.all(Array.from({ length: 200 }, (_, i) => outbox.enqueue({ topic: 't/evt', class: 'event', data: i })));
  for (const { id } of after) ids.add(id);
  // a restart starts the counter again: the fresh random prefix is what keeps the second run's ids apart
  assert.equal(ids.size, 400);
  for (const id of ids) assert.ok(EventEnvelope.shape.id.safeParse(id).success, `id ${id} fits the contract`);
  await outbox.close();
  await root.close();
});
