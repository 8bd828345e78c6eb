import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOutboxIndex, type IndexChanges } from '../../../daemon/outbox/index-state.js';
import type { OutboxClass } from '../../../protocol/schemas.js';

const ev = (seq: number, size = 100) => ({ seq, id: `id${seq}`, topic: 't', retain: false, payload: Buffer.from('x'.repeat(size)) });
const changes = (): IndexChanges => ({ deleted: [], trimmed: [] });

function fill(classes: OutboxClass[], maxBytes = 1e9) {
  const idx = createOutboxIndex({ maxBytes, maxSegmentEntries: 3 });
  classes.forEach((c, i) => idx.add(c, ev(i + 1)));
  for (const s of idx.takeUnpersisted()) idx.markPersisted(s);
  return idx;
}

test('take returns the highest class first and seq order within each class', () => {
  const idx = fill(['bulk', 'event', 'critical', 'event', 'telemetry', 'critical', 'event']);
  assert.deepEqual(idx.take(undefined, 100).map((e) => `${e.cls}:${e.seq}`),
    ['critical:3', 'critical:6', 'event:2', 'event:4', 'event:7', 'telemetry:5', 'bulk:1']);
});

test('only persisted entries are sendable, and only allowed classes', () => {
  const idx = createOutboxIndex({ maxBytes: 1e9, maxSegmentEntries: 100 });
  idx.add('event', ev(1));
  assert.equal(idx.take(undefined, 10).length, 0, 'not persisted yet');
  for (const s of idx.takeUnpersisted()) idx.markPersisted(s);
  idx.add('bulk', ev(2));
  for (const s of idx.takeUnpersisted()) idx.markPersisted(s);
  assert.deepEqual(idx.take(new Set<OutboxClass>(['critical', 'bulk']), 10).map((e) => e.seq), [2]);
  assert.deepEqual(idx.take(undefined, 10).map((e) => e.seq), [1]);
});

test('requeue after a dropped link re-sends every un-acked entry in order', () => {
  const idx = fill(['event', 'event', 'event', 'event', 'critical']);
  const first = idx.take(undefined, 3);
  assert.deepEqual(first.map((e) => e.seq), [5, 1, 2]);
  const c = changes();
  assert.ok(idx.ack(1, c));
  assert.equal(idx.ack(1, c), false, 'a second ack of the same seq is ignored');
  assert.equal(idx.requeueInflight(), 2);
  assert.deepEqual(idx.take(undefined, 10).map((e) => e.seq), [5, 2, 3, 4]);
});

test('a segment is deleted once every entry in it is acked', () => {
  const idx = fill(['event', 'event', 'event', 'event']); // segments of 3: [1,2,3] [4]
  const c = changes();
  for (const e of idx.take(undefined, 10)) idx.ack(e.seq, c);
  assert.equal(c.deleted.length, 2);
  assert.equal(idx.bytes, 0);
  assert.deepEqual(idx.counts(), { critical: 0, event: 0, telemetry: 0, bulk: 0 });
});

test('when full, the lowest class goes first, oldest first, never a higher class nor an in-flight entry', () => {
  const per = ev(1).payload.length + 't'.length + 'id1'.length + 24;
  const idx = fill(['critical', 'bulk', 'telemetry', 'bulk', 'event'], per * 5);
  idx.take(new Set<OutboxClass>(['bulk']), 1); // bulk seq 2 is in flight
  let c = changes();
  const evicted = idx.makeRoom(per, 'event', c)!;
  assert.deepEqual(evicted.map((e) => e.seq), [4], 'the oldest bulk not in flight');
  c = changes();
  assert.deepEqual(idx.makeRoom(per * 3, 'event', c)!.map((e) => e.seq), [3, 5], 'then telemetry, then event');
  assert.equal(idx.makeRoom(per * 4, 'telemetry', changes()), null, 'telemetry may not evict critical');
  assert.deepEqual(idx.makeRoom(per * 4, 'critical', changes())!.map((e) => e.seq), [1]);
});
