import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { applySimilarity, ARCFACE_112, estimateSimilarity, fivePoints, warpSimilarity, type Point } from '../../plugins/faceauth/engine/align.js';

test('least-squares similarity recovers a known rotation, scale and translation', () => {
  fc.assert(fc.property(fc.double({ min: -Math.PI, max: Math.PI, noNaN: true }), fc.double({ min: 0.2, max: 5, noNaN: true }),
    fc.double({ min: -200, max: 200, noNaN: true }), fc.double({ min: -200, max: 200, noNaN: true }), (th, s, tx, ty) => {
      const t = { a: s * Math.cos(th), b: s * Math.sin(th), tx, ty };
      const src: Point[] = [[10, 20], [80, 22], [45, 60], [20, 90], [75, 95]];
      const est = estimateSimilarity(src, src.map((p) => applySimilarity(t, p)));
      for (const k of ['a', 'b', 'tx', 'ty'] as const) assert.ok(Math.abs(est[k] - t[k]) < 1e-6, `${k}: ${est[k]} vs ${t[k]}`);
    }));
});

test('noisy points give the least-squares fit, not an exact one through any three points', () => {
  const dst = ARCFACE_112;
  const src: Point[] = dst.map(([x, y], i) => [x * 2 + 5 + (i === 2 ? 3 : 0), y * 2 - 7]);
  const t = estimateSimilarity(src, dst);
  const err = src.map((p, i) => Math.hypot(applySimilarity(t, p)[0] - dst[i][0], applySimilarity(t, p)[1] - dst[i][1]));
  assert.ok(Math.max(...err) < 1.5 && Math.max(...err) > 0.1, `residuals ${err}`);
});

test('the 5 points are the eye centres, the nose tip and the mouth corners of the 68 landmarks', () => {
  const lm = new Float32Array(136);
  for (let i = 0; i < 68; i++) { lm[2 * i] = i; lm[2 * i + 1] = 100 + i; }
  assert.deepEqual(fivePoints(lm), [[38.5, 138.5], [44.5, 144.5], [30, 130], [48, 148], [54, 154]]);
});

test('warping samples the source through the inverse transform', () => {
  const w = 50, h = 40, data = new Uint8Array(w * h * 3);
  data.set([255, 0, 0], (10 * w + 20) * 3); // one red pixel at (20, 10)
  const t = { a: 2, b: 0, tx: 6, ty: 8 };   // (20,10) → (46, 28)
  const out = warpSimilarity({ data, width: w, height: h }, t, 112);
  assert.equal(out.data[(28 * 112 + 46) * 3], 255);
  assert.equal(out.data[(0 * 112 + 0) * 3], 0);
});
