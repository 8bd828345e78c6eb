import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeSegment, encodeSegment, lineHead, lineHeadBytes, parseSegmentKey, segmentKey, writeLineHead, META_SEQ_KEY, SEGMENT_RANGE } from '../../../daemon/outbox/codec.js';

test('segment keys sort by class rank, then by seq, and parse back', () => {
  const keys = [segmentKey('bulk', 1), segmentKey('critical', 900), segmentKey('event', 10), segmentKey('critical', 12)];
  assert.deepEqual([...keys].sort(), [segmentKey('critical', 12), segmentKey('critical', 900), segmentKey('event', 10), segmentKey('bulk', 1)]);
  assert.deepEqual(parseSegmentKey(segmentKey('telemetry', 42)), { cls: 'telemetry', firstSeq: 42 });
  assert.equal(parseSegmentKey(META_SEQ_KEY), null);
  assert.ok(META_SEQ_KEY > SEGMENT_RANGE.lt, 'meta keys sort outside the segment range');
});

test('segments round-trip any JSON payload and topic', () => {
  fc.assert(fc.property(
    fc.array(fc.record({ seq: fc.nat(), id: fc.uuid(), topic: fc.string({ minLength: 1 }).filter((t) => !/[\t\n]/.test(t)), retain: fc.boolean(), data: fc.jsonValue() }), { maxLength: 20 }),
    (events) => {
      const enc = events.map((e) => ({ seq: e.seq, id: e.id, topic: e.topic, retain: e.retain, payload: Buffer.from(JSON.stringify({ d: e.data })) }));
      assert.deepEqual(decodeSegment(encodeSegment(enc)), enc);
    },
  ));
});

test('a corrupt line is skipped and reported, the rest survives', () => {
  const good = { seq: 7, id: 'a', topic: 't/x', retain: false, payload: Buffer.from('{"x":1}') };
  const bad: string[] = [];
  const out = decodeSegment(`garbage\n${encodeSegment([good])}\nx\t2\ty`, (l) => bad.push(l));
  assert.deepEqual(out, [good]);
  assert.equal(bad.length, 2);
});

test('a line head written piece by piece is the line head, byte for byte', () => {
  fc.assert(fc.property(
    fc.record({ seq: fc.maxSafeNat(), id: fc.string({ unit: 'grapheme' }), topic: fc.string({ minLength: 1, unit: 'grapheme' }).filter((t) => !/[\t\n]/.test(t)), retain: fc.boolean() }),
    fc.nat({ max: 7 }),
    (f, at) => {
      const e = { ...f, payload: Buffer.alloc(0) };
      const want = Buffer.from(lineHead(e));
      assert.equal(lineHeadBytes(e), want.length);
      const out = Buffer.alloc(at + want.length);
      assert.equal(writeLineHead(out, at, e), out.length);
      assert.deepEqual(out.subarray(at), want);
    },
  ));
});
