import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { OUTBOX_CLASSES, type OutboxClass } from '../../../protocol/schemas.js';
import type { EncodedEvent } from '../../../daemon/outbox/codec.js';
import { tornBytes } from '../../../daemon/outbox/wal-file.js';
import { MAX_RECORD_BYTES, decodeLog, encodeCommit, encodeEventRecord, encodeGoneRecord, frame, readFrames, type WalRecord } from '../../../daemon/outbox/wal-codec.js';

const arbEvent = fc.record({
  cls: fc.constantFrom(...OUTBOX_CLASSES),
  event: fc.record({
    seq: fc.nat(),
    id: fc.uuid(),
    topic: fc.string({ minLength: 1, unit: 'grapheme' }).filter((t) => !/[\t\n]/.test(t)),
    retain: fc.boolean(),
    payload: fc.jsonValue().map((v) => Buffer.from(JSON.stringify({ d: v }))),
  }).map((e) => ({ ...e })), // a plain prototype, as the decoder builds them
});
const arbCommit = fc.record({ gone: fc.array(fc.nat(), { maxLength: 5 }), events: fc.array(arbEvent, { maxLength: 8 }) });
/** encodeCommit takes each event with its class beside its fields, as an outbox entry has them */
const encode = (c: { gone: number[]; events: Array<{ cls: OutboxClass; event: EncodedEvent }> }) => encodeCommit(c.gone, c.events.map((e) => ({ ...e.event, cls: e.cls })));

/** What a log of these commits must decode to. */
function expected(commits: Array<{ gone: number[]; events: Array<{ cls: OutboxClass; event: EncodedEvent }> }>): WalRecord[] {
  const out: WalRecord[] = [];
  for (const c of commits) {
    if (c.gone.length > 0) out.push({ type: 'gone', seqs: c.gone });
    for (const e of c.events) out.push({ type: 'event', cls: e.cls, event: e.event });
  }
  return out;
}

test('commits round-trip: every record comes back, in order, and the whole log is good', () => {
  fc.assert(fc.property(fc.array(arbCommit, { maxLength: 6 }), (commits) => {
    const log = Buffer.concat(commits.map(encode));
    const { records, good, unreadable } = decodeLog(log);
    assert.deepEqual(records, expected(commits));
    assert.equal(good, log.length);
    assert.equal(unreadable, 0);
  }));
});

test('the single-record encoders write the same frames as a commit', () => {
  const e = { seq: 3, id: 'x', topic: 't/1', retain: true, payload: Buffer.from('{"a":"中文"}') };
  assert.deepEqual(encodeCommit([1, 2], [{ ...e, cls: 'bulk' }]), Buffer.concat([encodeGoneRecord([1, 2]), encodeEventRecord('bulk', e)]));
});

test('a log cut anywhere (a torn write) yields exactly the records written completely before the cut', () => {
  fc.assert(fc.property(fc.array(arbCommit, { minLength: 1, maxLength: 5 }), fc.nat(), (commits, cutAt) => {
    const frames = commits.flatMap((c) => readFrames(encode(c)).bodies.map((b) => frame(Buffer.from(b))));
    const log = Buffer.concat(frames);
    const cut = log.length === 0 ? 0 : cutAt % (log.length + 1);
    let whole = 0;
    let end = 0;
    for (const f of frames) { if (end + f.length > cut) break; end += f.length; whole++; }
    const { records, good } = decodeLog(log.subarray(0, cut));
    assert.equal(good, end, 'good ends at the last whole frame');
    assert.deepEqual(records, expected(commits).slice(0, whole));
  }));
});

test('a flipped byte never yields a record that was not written, and never throws', () => {
  fc.assert(fc.property(fc.array(arbCommit, { minLength: 1, maxLength: 4 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (commits, at, xor) => {
    const log = Buffer.concat(commits.map(encode));
    fc.pre(log.length > 0);
    const bad = Buffer.from(log);
    const i = at % bad.length;
    bad[i] ^= xor;
    const { records, good } = decodeLog(bad);
    assert.ok(good <= i || good === bad.length, 'the reader stops at or before the damaged frame');
    // every record read back is one that was written, at the same position
    assert.deepEqual(records, expected(commits).slice(0, records.length));
  }));
});

test('arbitrary bytes never throw and never claim more than they hold', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
    const buf = Buffer.from(bytes);
    const { good, records } = decodeLog(buf);
    assert.ok(good >= 0 && good <= buf.length);
    assert.ok(records.length <= buf.length / 9);
  }));
});

test('a zero-filled tail, a huge length and a CRC-valid frame that is not ours are refused', () => {
  const rec = encodeGoneRecord([5]);
  assert.equal(decodeLog(Buffer.concat([rec, Buffer.alloc(64)])).good, rec.length, 'zeros after the last record are not a record');
  const huge = Buffer.alloc(16);
  huge.writeUInt32LE(MAX_RECORD_BYTES + 1, 0);
  assert.equal(decodeLog(huge).good, 0);
  const alien = decodeLog(Buffer.concat([frame(Buffer.from('Zhello')), frame(Buffer.from('E9\tx')), frame(Buffer.from('Ga,b'))]));
  assert.equal(alien.records.length, 0);
  assert.equal(alien.unreadable, 3, 'counted, not trusted');
});

test('zeros after the trusted prefix are space written ahead, not a tear; anything else after it is', () => {
  const log = Buffer.concat([frame(Buffer.from('Eabc')), Buffer.alloc(64)]);
  const { good } = readFrames(log);
  assert.equal(good, 12);
  assert.equal(tornBytes(log, good), 0);
  const torn = Buffer.from(log);
  torn[good + 5] = 7; // a header written, its body not
  assert.equal(tornBytes(torn, readFrames(torn).good), 6);
});
