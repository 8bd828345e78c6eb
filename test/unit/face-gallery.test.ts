import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createInt8Scanner, quantise } from '../../plugins/faceauth/store/simd-scan.js';
import { createGallery } from '../../plugins/faceauth/store/gallery.js';
import { dot, l2normalise, meanTemplate } from '../../plugins/faceauth/engine/vector.js';

test('the SIMD kernel computes the same int8 dot products as a plain loop', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 4 }), fc.integer(), (rows, blocks, seed) => {
    const dim = blocks * 16;
    const s = createInt8Scanner(dim);
    s.reserve(rows);
    let x = seed >>> 0;
    const rnd = () => { x = (x * 1103515245 + 12345) >>> 0; return (x >>> 16) % 255 - 127; };
    const g = s.rows();
    for (let i = 0; i < rows * dim; i++) g[i] = rnd();
    const q = Int8Array.from({ length: dim }, rnd);
    const out = s.scan(q, rows);
    for (let r = 0; r < rows; r++) {
      let e = 0;
      for (let k = 0; k < dim; k++) e += g[r * dim + k] * q[k];
      assert.equal(out[r], e);
    }
  }), { numRuns: 50 });
});

test('growing the scanner keeps the rows already written', () => {
  const s = createInt8Scanner(16);
  s.reserve(2);
  s.rows().set(Int8Array.from({ length: 32 }, (_, i) => i - 16));
  s.reserve(100_000);
  assert.equal(s.rows()[0], -16);
  assert.equal(s.rows()[31], 15);
});

test('gallery search ranks the best matches with scores within 0.01 of the cosine; remove and upsert keep it consistent', () => {
  const rnd = () => l2normalise(Float32Array.from({ length: 512 }, () => Math.random() - 0.5));
  const g = createGallery(512);
  const vs = Array.from({ length: 300 }, rnd);
  vs.forEach((v, i) => g.upsert(`a${i}`, v));
  const q = l2normalise(Float32Array.from(vs[123], (v) => v + (Math.random() - 0.5) * 0.02));
  const top = g.search(q, 3);
  assert.equal(top[0].id, 'a123');
  assert.ok(Math.abs(top[0].score - dot(vs[123], q)) < 0.01);
  assert.ok(top[0].score >= top[1].score && top[1].score >= top[2].score);
  assert.equal(g.remove('a123'), true);
  assert.notEqual(g.search(q, 1)[0].id, 'a123');
  assert.equal(g.size, 299);
  g.upsert('a7', vs[123]);
  assert.equal(g.search(q, 1)[0].id, 'a7');
  assert.equal(g.size, 299);
});

test('int8 quantisation keeps cosine scores within 0.01', () => {
  const a = l2normalise(Float32Array.from({ length: 512 }, () => Math.random() - 0.5));
  const b = l2normalise(Float32Array.from(a, (v) => v + (Math.random() - 0.5) * 0.05));
  const qa = quantise(a), qb = quantise(b);
  let s = 0;
  for (let i = 0; i < 512; i++) s += qa.q[i] * qb.q[i];
  assert.ok(Math.abs(s * qa.scale * qb.scale - dot(a, b)) < 0.01);
});

test('a template is the normalised mean of normalised embeddings', () => {
  const t = meanTemplate([Float32Array.from([2, 0]), Float32Array.from([0, 5])]);
  assert.ok(Math.abs(t[0] - Math.SQRT1_2) < 1e-6 && Math.abs(t[1] - Math.SQRT1_2) < 1e-6);
});
