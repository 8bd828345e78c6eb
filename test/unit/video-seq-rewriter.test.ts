import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSeqRewriter } from '../../plugins/video/sfu/seq-rewriter.js';

/** sends source packets [seq, ts] through the rewriter, as the outbound track does */
function forward(r: ReturnType<typeof createSeqRewriter>, pkts: Array<[number, number]>): Array<[number, number]> {
  return pkts.map(([s, t]) => { const out = r.map(s, t); r.sent(...out); return out; });
}

test('seq rewriter: audio resumed after last-N skipped packets continues the sequence and keeps the real timestamps', () => {
  const r = createSeqRewriter(960);
  assert.deepEqual(forward(r, [[100, 9600], [101, 10560]]), [[100, 9600], [101, 10560]]);
  // 102..149 were skipped (out of last-N); 150 is the first forwarded again
  r.resumed(150);
  assert.deepEqual(forward(r, [[150, 9600 + 50 * 960], [151, 9600 + 51 * 960]]), [[102, 9600 + 50 * 960], [103, 9600 + 51 * 960]]);
});

test('seq rewriter: a new source continues both sequence and timestamps one frame later, across the 16-bit wrap', () => {
  const r = createSeqRewriter(3000);
  forward(r, [[65534, 1000], [65535, 4000]]);
  r.sourceChanged(7, 123456);
  assert.deepEqual(forward(r, [[7, 123456], [8, 126456]]), [[0, 7000], [1, 10000]]);
  // nothing sent yet: nothing to continue from
  const fresh = createSeqRewriter(960);
  fresh.resumed(500);
  fresh.sourceChanged(500, 77);
  assert.deepEqual(fresh.map(500, 77), [500, 77]);
});
