// Pure SFU logic: VP8 key-frame detection, layer choice, speaker/last-N tracking, down-track switching.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isVp8KeyframeStart } from '../../plugins/video/sfu/vp8.js';
import { chooseLayers, neededLayers } from '../../plugins/video/sfu/layer-policy.js';
import { createSpeakerTracker } from '../../plugins/video/sfu/speaker.js';
import { createVideoDownTrack, createKeyframeLimiter } from '../../plugins/video/sfu/down-track.js';
import type { OutboundTrack } from '../../plugins/video/sfu/werift-peer.js';
import type { RtpLike } from '../../plugins/video/sfu/types.js';

test('vp8: key frame start only with S=1, PID=0 and P=0 (with and without extensions)', () => {
  assert.equal(isVp8KeyframeStart(Buffer.from([0x10, 0x00])), true);
  assert.equal(isVp8KeyframeStart(Buffer.from([0x10, 0x01])), false, 'P bit set: inter frame');
  assert.equal(isVp8KeyframeStart(Buffer.from([0x00, 0x00])), false, 'not the start of a partition');
  // X=1, I=1 with a 15-bit picture id (M bit), L=1, T=1 → header is 1+1+2+1+1 bytes
  assert.equal(isVp8KeyframeStart(Buffer.from([0x90, 0xe0, 0x80, 0x01, 0x05, 0x20, 0x00])), true);
  assert.equal(isVp8KeyframeStart(Buffer.from([0x90, 0xe0, 0x80, 0x01, 0x05, 0x20, 0x01])), false);
  assert.equal(isVp8KeyframeStart(Buffer.from([0x90, 0x80])), false, 'truncated');
  assert.equal(isVp8KeyframeStart(Buffer.alloc(0)), false);
});

test('layers: 32-tile grid takes q, speaker h, pinned f, hidden off', () => {
  const pubs = Array.from({ length: 31 }, (_, i) => `p${i}`);
  const w = chooseLayers({ publishers: pubs, view: { pinned: 'p3', visible: new Set(pubs.filter((p) => p !== 'p30')) }, activeSpeaker: 'p7', estimateBps: 0 });
  assert.equal(w.get('p0'), 'q');
  assert.equal(w.get('p7'), 'h');
  assert.equal(w.get('p3'), 'f');
  assert.equal(w.get('p30'), 'off');
  const two = chooseLayers({ publishers: ['a', 'b'], view: {}, activeSpeaker: null, estimateBps: 0 });
  assert.equal(two.get('a'), 'f');
});

test('layers: a low bandwidth estimate steps the least important down first, never below q', () => {
  const w = chooseLayers({ publishers: ['a', 'b', 'c'], view: { pinned: 'a' }, activeSpeaker: 'b', estimateBps: 1_500_000 });
  assert.equal(w.get('a'), 'f');
  assert.equal(w.get('c'), 'q');
  const tiny = chooseLayers({ publishers: ['a', 'b', 'c'], view: { pinned: 'a' }, activeSpeaker: 'b', estimateBps: 10_000 });
  assert.deepEqual([...tiny.values()], ['q', 'q', 'q']);
  const capped = chooseLayers({ publishers: ['a', 'b'], view: { caps: new Map([['a', 'q' as const]]) }, activeSpeaker: null, estimateBps: 0 });
  assert.equal(capped.get('a'), 'q');
  assert.deepEqual(neededLayers(['q', 'q']), ['q']);
  assert.deepEqual(neededLayers(['off']), ['q']);
  assert.deepEqual(neededLayers(['q', 'f']), ['q', 'h', 'f']);
});

test('speaker: loudest leads after the hold time; last-N keeps the N loudest, silence drops out', () => {
  const s = createSpeakerTracker({ lastN: 2, holdMs: 500 });
  let now = 0;
  for (; now < 2000; now += 20) {
    s.observe('a', 20, now); s.observe('b', 60, now); s.observe('c', 80, now); s.observe('d', 127, now);
    s.tick(now);
  }
  assert.equal(s.active, 'a');
  assert.deepEqual([...s.audible].sort(), ['a', 'b']);
  // b takes over: it must lead for the hold time first
  for (const end = now + 3000; now < end; now += 20) {
    s.observe('a', 127, now); s.observe('b', 10, now); s.observe('c', 80, now);
    s.tick(now);
  }
  assert.equal(s.active, 'b');
  assert.ok(!s.audible.has('d'));
  s.remove('b');
  assert.equal(s.active, null);
});

function fakeOut() {
  const sent: Array<{ seq: number; rid?: string }> = [];
  const kf: Array<() => void> = [];
  let switched = 0;
  const out: OutboundTrack = {
    kind: 'video', mid: () => '0', send: (p) => sent.push({ seq: p.header.sequenceNumber }),
    sourceChanged: () => { switched++; }, resumed: () => undefined, onKeyframeRequest: (fn) => kf.push(fn), onNack: () => undefined, estimateBps: () => 0,
  };
  return { out, sent, kf, switched: () => switched };
}
const pkt = (seq: number, key: boolean): RtpLike => ({ header: { ssrc: 1, sequenceNumber: seq, timestamp: seq, marker: true, payloadType: 96 }, payload: Buffer.from([0x10, key ? 0 : 1, 0, 0]) });

test('down-track: starts and switches only on a key frame of the target layer, asks for one', () => {
  const f = fakeOut();
  const asked: string[] = [];
  const dt = createVideoDownTrack(f.out, (rid) => asked.push(rid));
  dt.setTarget('q');
  assert.deepEqual(asked, ['q']);
  dt.push('q', pkt(1, false));
  assert.equal(f.sent.length, 0, 'no forwarding before a key frame');
  dt.push('q', pkt(2, true)); dt.push('q', pkt(3, false)); dt.push('h', pkt(50, true));
  assert.deepEqual(f.sent.map((s) => s.seq), [2, 3]);
  dt.setTarget('h');
  assert.deepEqual(asked, ['q', 'h']);
  dt.push('q', pkt(4, false)); dt.push('h', pkt(51, false)); dt.push('h', pkt(52, true)); dt.push('q', pkt(5, true));
  assert.deepEqual(f.sent.map((s) => s.seq), [2, 3, 4, 52]);
  assert.equal(dt.layer, 'h');
  assert.equal(f.switched(), 2);
  f.kf[0]!(); // a subscriber PLI goes to the current layer
  assert.deepEqual(asked, ['q', 'h', 'h']);
  dt.setTarget('off');
  dt.push('h', pkt(53, true));
  assert.equal(f.sent.length, 4, 'paused: nobody sees it');
});

test('keyframe limiter: one request per layer per gap', () => {
  let t = 0; const sent: string[] = [];
  const l = createKeyframeLimiter(300, (r) => sent.push(r), () => t);
  l.request('q'); l.request('q'); l.request('h'); t = 299; l.request('q'); t = 301; l.request('q');
  assert.deepEqual(sent, ['q', 'h', 'q']);
  assert.equal(l.suppressed, 2);
});
