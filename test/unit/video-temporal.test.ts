// Temporal-layer forwarding: VP8 descriptor parsing/rewriting and the filter that drops upper temporal layers
// while renumbering sequence numbers and picture ids so the receiver sees no hole (property tests).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseVp8, rewriteVp8 } from '../../plugins/video/sfu/vp8.js';
import { createTemporalFilter } from '../../plugins/video/sfu/temporal-filter.js';
import { payloadOf } from '../../plugins/video/sfu/types.js';
import { createVideoDownTrack } from '../../plugins/video/sfu/down-track.js';
import type { OutboundTrack } from '../../plugins/video/sfu/werift-peer.js';
import { temporalCap, thumbnailFps } from '../../plugins/video/sfu/layer-policy.js';
import { createFrameRateMeter, framesPerTid } from '../../plugins/video/sfu/frame-rate.js';
import type { Publication } from '../../plugins/video/sfu/participant.js';

/** a VP8 payload with X, I (15-bit), L, T, as Chrome sends for simulcast L1T3 */
function vp8(o: { start: boolean; key: boolean; pid: number; tl0: number; tid: number; sync?: boolean }): Buffer {
  return Buffer.from([
    0x80 | (o.start ? 0x10 : 0), 0xe0, 0x80 | ((o.pid >> 8) & 0x7f), o.pid & 0xff, o.tl0 & 0xff,
    (o.tid << 6) | (o.sync ? 0x20 : 0), o.start ? (o.key ? 0x00 : 0x01) : 0x55, 0xaa,
  ]);
}

interface Pkt { seq: number; frame: number; tid: number; payload: Buffer }
/** L1T3 frames 0,2,1,2,… with `ppf[i]` packets each, starting at the given numbers (all wrap) */
function stream(frames: number, ppf: number[], seq0: number, pid0: number, tl00: number): Pkt[] {
  const out: Pkt[] = [];
  let seq = seq0; let tl0 = tl00;
  for (let i = 0; i < frames; i++) {
    const tid = [0, 2, 1, 2][i % 4]!;
    if (tid === 0 && i > 0) tl0 = (tl0 + 1) & 0xff;
    const n = ppf[i % ppf.length]!;
    for (let k = 0; k < n; k++) {
      out.push({ seq, frame: i, tid, payload: vp8({ start: k === 0, key: i === 0, pid: (pid0 + i) & 0x7fff, tl0, tid, sync: tid === 1 }) });
      seq = (seq + 1) & 0xffff;
    }
  }
  return out;
}

const arb = fc.record({
  frames: fc.integer({ min: 8, max: 80 }),
  ppf: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 5 }),
  seq0: fc.oneof(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0xffc0, max: 0xffff })),
  pid0: fc.oneof(fc.integer({ min: 0, max: 0x7fff }), fc.integer({ min: 0x7fc0, max: 0x7fff })),
  tl0: fc.integer({ min: 0, max: 0xff }),
  maxTid: fc.integer({ min: 0, max: 2 }),
});

test('vp8: descriptor fields parsed and rewritten in place of a copy', () => {
  const p = vp8({ start: true, key: true, pid: 0x1234, tl0: 7, tid: 2, sync: true });
  const i = parseVp8(p)!;
  assert.deepEqual([i.frameStart, i.keyframe, i.pictureId, i.pictureIdBits, i.tl0PicIdx, i.tid, i.layerSync, i.headerLength], [true, true, 0x1234, 15, 7, 2, true, 6]);
  const r = rewriteVp8(p, i, 0x7ffe, 0xff);
  const j = parseVp8(r)!;
  assert.deepEqual([j.pictureId, j.tl0PicIdx, j.tid, j.keyframe], [0x7ffe, 0xff, 2, true]);
  assert.equal(parseVp8(p)!.pictureId, 0x1234, 'the original is untouched');
  const short = parseVp8(Buffer.from([0x90, 0x80, 0x05, 0x00]))!; // 7-bit picture id, no T: base layer
  assert.deepEqual([short.pictureId, short.pictureIdBits, short.tid, short.keyframe], [5, 7, 0, true]);
  assert.equal(parseVp8(Buffer.from([0x90, 0xe0, 0x80])), null, 'truncated');
});

test('temporal filter: forwards TID ≤ cap, numbers stay gapless (seq, picture id) across wraps', () => {
  fc.assert(fc.property(arb, (a) => {
    const f = createTemporalFilter();
    f.setMaxTid(a.maxTid);
    const pk = stream(a.frames, a.ppf, a.seq0, a.pid0, a.tl0);
    const fwd: Array<{ p: Pkt; seq: number; pid: number; tl0: number }> = [];
    for (const p of pk) {
      const r = f.process(p.seq, parseVp8(p.payload));
      if (r) fwd.push({ p, seq: r.seq, pid: r.pictureId, tl0: r.tl0PicIdx });
    }
    // the first frame is a key frame at TID 0: the cap is in force from it on
    assert.ok(fwd.every((x) => x.p.tid <= a.maxTid));
    assert.equal(fwd.length, pk.filter((p) => p.tid <= a.maxTid).length);
    for (let k = 1; k < fwd.length; k++) {
      assert.equal(fwd[k]!.seq, (fwd[k - 1]!.seq + 1) & 0xffff, 'no sequence gap');
      const dp = (fwd[k]!.pid - fwd[k - 1]!.pid) & 0x7fff;
      assert.equal(dp, fwd[k]!.p.frame === fwd[k - 1]!.p.frame ? 0 : 1, 'picture ids one per forwarded frame');
      const orig = parseVp8(fwd[k]!.p.payload)!;
      assert.equal(fwd[k]!.tl0, orig.tl0PicIdx, 'TL0PICIDX needs no change inside one stream');
    }
    assert.equal(fwd[0]!.seq, a.seq0);
  }), { numRuns: 300 });
});

test('temporal filter: changing the cap mid-stream never splits a frame and keeps numbers gapless', () => {
  fc.assert(fc.property(arb, fc.array(fc.tuple(fc.nat(400), fc.integer({ min: 0, max: 2 })), { maxLength: 6 }), (a, changes) => {
    const f = createTemporalFilter();
    f.setMaxTid(a.maxTid);
    const pk = stream(a.frames, a.ppf, a.seq0, a.pid0, a.tl0);
    const perFrame = new Map<number, number>();
    let last: { seq: number; pid: number } | null = null;
    pk.forEach((p, i) => {
      for (const [at, tid] of changes) if (at === i) f.setMaxTid(tid);
      const r = f.process(p.seq, parseVp8(p.payload));
      if (!r) return;
      perFrame.set(p.frame, (perFrame.get(p.frame) ?? 0) + 1);
      if (last) {
        assert.equal(r.seq, (last.seq + 1) & 0xffff);
        assert.ok(((r.pictureId - last.pid) & 0x7fff) <= 1);
      }
      last = { seq: r.seq, pid: r.pictureId };
    });
    for (const [frame, n] of perFrame) assert.equal(n, pk.filter((p) => p.frame === frame).length, `frame ${frame} whole`);
  }), { numRuns: 300 });
});

test('temporal filter: an upswitch waits for a frame the receiver can decode (TL0, layer sync, key)', () => {
  const f = createTemporalFilter();
  f.setMaxTid(0);
  const pk = stream(12, [1], 100, 10, 0);
  const tids: number[] = [];
  pk.forEach((p, i) => {
    if (i === 5) f.setMaxTid(2); // frame 5 is TID 2 without sync: not yet; frame 6 (TID 1, sync) is
    if (f.process(p.seq, parseVp8(p.payload))) tids.push(p.tid);
  });
  assert.deepEqual(tids, [0, 0, 1, 2, 0, 2, 1, 2]);
});

test('temporal filter: a late packet of a kept frame gets the number of its slot', () => {
  const pk = stream(16, [2], 65530, 32760, 250);
  const inOrder = createTemporalFilter(); inOrder.setMaxTid(1);
  const expected = new Map(pk.map((p) => [p.seq, inOrder.process(p.seq, parseVp8(p.payload))]));
  const f = createTemporalFilter(); f.setMaxTid(1);
  const late = pk.filter((p) => p.tid === 1).at(1)!; // arrives 5 packets late (a retransmission, say)
  const order = pk.filter((p) => p !== late);
  order.splice(order.indexOf(pk[pk.indexOf(late) + 5]!), 0, late);
  for (const p of order) assert.deepEqual(f.process(p.seq, parseVp8(p.payload)), expected.get(p.seq), `seq ${p.seq}`);
});

test('temporal filter: a late packet of a dropped layer is not forwarded; its slot stays one hole', () => {
  // the filter cannot know the layer of a packet it has not seen: the hole it leaves is the upstream loss
  const pk = stream(16, [2], 100, 1, 1);
  const f = createTemporalFilter(); f.setMaxTid(1);
  const lateDrop = pk.filter((p) => p.tid === 2).at(2)!;
  const order = pk.filter((p) => p !== lateDrop);
  order.splice(order.indexOf(pk[pk.indexOf(lateDrop) + 4]!), 0, lateDrop);
  const seqs: number[] = [];
  for (const p of order) { const r = f.process(p.seq, parseVp8(p.payload)); if (r) seqs.push(r.seq); else assert.ok(p.tid === 2); }
  const holes = seqs.slice(1).map((s, i) => s - seqs[i]! - 1).filter((g) => g !== 0);
  assert.deepEqual(holes, [1]);
});

test('temporal filter: a new source continues picture id and TL0PICIDX from the last ones sent', () => {
  const f = createTemporalFilter();
  const a = stream(6, [1], 500, 100, 40);
  let last = null as ReturnType<typeof f.process>;
  for (const p of a) last = f.process(p.seq, parseVp8(p.payload)) ?? last;
  f.reset();
  const b = stream(3, [2], 9000, 7000, 3);
  const first = f.process(b[0]!.seq, parseVp8(b[0]!.payload))!;
  assert.equal(first.pictureId, (last!.pictureId + 1) & 0x7fff);
  assert.equal(first.tl0PicIdx, (last!.tl0PicIdx + 1) & 0xff);
  assert.equal(first.rewrite, true);
});

test('down-track: thumbnails get TID ≤ cap with rewritten payloads, gapless on the wire', () => {
  const sent: Array<{ seq: number; pid: number; tid: number }> = [];
  const sources = new Set<Buffer>(); let shared = 0;
  const out: OutboundTrack = {
    kind: 'video', mid: () => '0', send: (p) => { if (sources.has(p.payload)) shared++; const i = parseVp8(payloadOf(p))!; sent.push({ seq: p.header.sequenceNumber, pid: i.pictureId, tid: i.tid }); },
    sourceChanged: () => undefined, resumed: () => undefined, onKeyframeRequest: () => undefined, onNack: () => undefined, estimateBps: () => 0,
  };
  const dt = createVideoDownTrack(out, () => undefined);
  dt.setTarget('q');
  dt.setMaxTemporal(0);
  for (const p of stream(9, [2], 1, 1, 1)) sources.add(p.payload);
  for (const p of stream(9, [2], 1, 1, 1)) dt.push('q', { header: { ssrc: 1, sequenceNumber: p.seq, timestamp: p.frame * 3000, marker: false, payloadType: 96 }, payload: p.payload });
  assert.deepEqual(sent.map((s) => s.seq), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(sent.map((s) => s.pid), [1, 1, 2, 2, 3, 3]);
  assert.ok(sent.every((s) => s.tid === 0));
  assert.equal(dt.counters.temporalDrops, 12);
  assert.equal(shared, 0, 'stream() builds fresh buffers per call');
});

test('down-track: a rewritten descriptor travels as a prefix; the frame data is the publisher\'s buffer', () => {
  const got: Array<{ payload: Buffer; prefix?: Buffer | undefined }> = [];
  const out: OutboundTrack = {
    kind: 'video', mid: () => '0', send: (p) => { got.push({ payload: p.payload, prefix: p.prefix }); },
    sourceChanged: () => undefined, resumed: () => undefined, onKeyframeRequest: () => undefined, onNack: () => undefined, estimateBps: () => 0,
  };
  const dt = createVideoDownTrack(out, () => undefined);
  dt.setTarget('q'); dt.setMaxTemporal(0);
  const pk = stream(5, [2], 1, 1, 1);
  for (const p of pk) dt.push('q', { header: { ssrc: 1, sequenceNumber: p.seq, timestamp: p.frame * 3000, marker: false, payloadType: 96 }, payload: p.payload });
  assert.ok(got.length > 0);
  for (const g of got) assert.ok(pk.some((p) => p.payload === g.payload), 'not copied');
  const rewritten = got.filter((g) => g.prefix);
  assert.ok(rewritten.length > 0, 'thinning renumbers picture ids');
  for (const g of rewritten) {
    const whole = payloadOf(g as never);
    assert.deepEqual(whole.subarray(g.prefix!.length), g.payload.subarray(g.prefix!.length));
    assert.equal(g.prefix!.length, parseVp8(g.payload)!.headerLength);
  }
});

test('policy: thumbnail frame rate by grid size, and the TID cap that reaches it', () => {
  assert.equal(thumbnailFps(4), Infinity);
  assert.ok(thumbnailFps(31) <= 8);
  assert.equal(thumbnailFps(12, 7.5), 7.5, 'configured cap');
  assert.equal(thumbnailFps(4, 7.5), Infinity, 'a small call is never thinned');
  // 30 fps L1T3: TL0 7.5, TL0+1 15, all 30
  assert.equal(temporalCap([7.5, 7.5, 15], 7.5), 0);
  assert.equal(temporalCap([7.5, 7.5, 15], 15), 1);
  assert.equal(temporalCap([3.75, 3.75, 7.5], 7.5), 1, '15 fps source: half rate');
  assert.equal(temporalCap([3, 3, 6], 7.5), 1, 'a 15 fps publisher running at 12 is still halved');
  assert.equal(temporalCap([2, 2, 4], 7.5), 2, 'an 8 fps publisher is not thinned further');
  assert.equal(temporalCap([30, 0, 0], 7.5), 2, 'no temporal layers: everything');
  assert.equal(temporalCap([0, 0, 0], 7.5), 2, 'nothing measured yet: everything');
  assert.equal(temporalCap([7.5, 7.5, 15], Infinity), 2);
});

test('frame rate: the publisher\'s rate from picture ids, split by the TIDs that arrived (losses do not lower it)', () => {
  const meter = createFrameRateMeter();
  const pub = { frames: { q: [0, 0, 0, 0], h: [0, 0, 0, 0], f: [0, 0, 0, 0] }, sentFrames: { q: 0, h: 0, f: 0 }, fps: { q: [0, 0, 0, 0], h: [0, 0, 0, 0], f: [0, 0, 0, 0] } } as unknown as Publication;
  meter.measure(pub, 0);
  // 2 s of a 15 fps L1T3 stream of which only half the frames reached the SFU
  pub.frames.q = [4, 4, 7, 0]; pub.sentFrames.q = 30;
  meter.measure(pub, 2000);
  const fps = pub.fps.q;
  assert.ok(Math.abs(fps.reduce((a, b) => a + b, 0) - 15) < 1e-9, `total ${fps}`);
  assert.equal(temporalCap(fps, 7.5), 1, 'a 32 grid still thins to TL0+TL1');
  assert.deepEqual(framesPerTid([0, 0, 0, 0], 15), [0, 0, 0, 0]);
});
