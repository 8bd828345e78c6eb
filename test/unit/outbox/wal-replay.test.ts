import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { OUTBOX_CLASSES, type OutboxClass } from '../../../protocol/schemas.js';
import { segmentKey, type EncodedEvent } from '../../../daemon/outbox/codec.js';
import { mergeReplay, type StoredSegment } from '../../../daemon/outbox/wal-replay.js';
import type { WalRecord } from '../../../daemon/outbox/wal-codec.js';

const ev = (seq: number): EncodedEvent => ({ seq, id: `id-${seq}`, topic: 't', retain: false, payload: Buffer.from(`{"s":${seq}}`) });
const seg = (cls: OutboxClass, seqs: number[]): StoredSegment => ({ key: segmentKey(cls, seqs[0]), cls, firstSeq: seqs[0], events: seqs.map(ev) });

test('without log records the level segments stay as they are', () => {
  const level = [seg('critical', [1, 3]), seg('event', [2])];
  const m = mergeReplay(level, [], 10);
  assert.deepEqual(m.segments, level);
  assert.deepEqual(m.dels, []);
  assert.deepEqual(m.puts, []);
  assert.equal(m.maxSeq, 3);
});

test('events only in the log join their class in seq order; gone seqs leave level; untouched classes are kept', () => {
  const level = [seg('event', [10, 12]), seg('event', [20]), seg('bulk', [11])];
  const records: WalRecord[] = [
    { type: 'event', cls: 'event', event: ev(12) }, // already in level
    { type: 'event', cls: 'event', event: ev(15) },
    { type: 'event', cls: 'event', event: ev(5) },
    { type: 'gone', seqs: [10, 30] },
    { type: 'event', cls: 'event', event: ev(30) }, // acked right after
    { type: 'event', cls: 'critical', event: ev(31) },
  ];
  const m = mergeReplay(level, records, 2);
  const seqs = (cls: OutboxClass) => m.segments.filter((s) => s.cls === cls).flatMap((s) => s.events.map((e) => e.seq));
  assert.deepEqual(seqs('event'), [5, 12, 15, 20]);
  assert.deepEqual(seqs('critical'), [31]);
  assert.deepEqual(seqs('bulk'), [11]);
  assert.ok(m.segments.every((s) => s.events.length <= 2));
  assert.deepEqual(m.dels.sort(), [segmentKey('event', 10), segmentKey('event', 20)].sort());
  assert.equal(m.recovered, 3);
  assert.equal(m.dropped, 1);
  assert.equal(m.maxSeq, 31);
  assert.ok(!m.dels.includes(segmentKey('bulk', 11)));
});

test('merge invariants: live = (level ∪ log events) − gone, each once, seq order per class, keys in order', () => {
  const arb = fc.record({
    classOf: fc.array(fc.constantFrom(...OUTBOX_CLASSES), { minLength: 60, maxLength: 60 }),
    inLevel: fc.array(fc.boolean(), { minLength: 60, maxLength: 60 }),
    inLog: fc.array(fc.boolean(), { minLength: 60, maxLength: 60 }),
    gone: fc.array(fc.integer({ min: 1, max: 60 }), { maxLength: 30 }),
    segSize: fc.integer({ min: 1, max: 7 }),
  });
  fc.assert(fc.property(arb, ({ classOf, inLevel, inLog, gone, segSize }) => {
    const level: StoredSegment[] = [];
    for (const cls of OUTBOX_CLASSES) {
      const seqs = classOf.map((c, i) => (c === cls && inLevel[i] ? i + 1 : 0)).filter((s) => s > 0);
      for (let i = 0; i < seqs.length; i += segSize) level.push(seg(cls, seqs.slice(i, i + segSize)));
    }
    const records: WalRecord[] = classOf.flatMap((cls, i) => (inLog[i] ? [{ type: 'event' as const, cls, event: ev(i + 1) }] : []));
    records.push({ type: 'gone', seqs: gone });
    const m = mergeReplay(level, records, segSize);
    const goneSet = new Set(gone);
    for (const cls of OUTBOX_CLASSES) {
      const want = classOf.map((c, i) => (c === cls && (inLevel[i] || inLog[i]) && !goneSet.has(i + 1) ? i + 1 : 0)).filter((s) => s > 0);
      const got = m.segments.filter((s) => s.cls === cls).flatMap((s) => s.events.map((e) => e.seq));
      assert.deepEqual(got, want, cls);
    }
    const keys = m.segments.map((s) => s.key);
    assert.deepEqual(keys, [...keys].sort());
    assert.equal(new Set(keys).size, keys.length);
  }));
});
