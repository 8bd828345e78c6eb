// `npm run bench -- face`: verify latency per image, pool vs single-threaded throughput (same run), and
// 1:N search over 100,000 synthetic templates (SIMD int8 scan vs a plain float loop). One JSON line each.
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { createFaceEngine, type FaceEngine } from '../plugins/faceauth/engine/engine.js';
import { dot, l2normalise } from '../plugins/faceauth/engine/vector.js';
import { createGallery } from '../plugins/faceauth/store/gallery.js';
import { quantile } from '../plugins/faceauth/eval/score-stats.js';

const dir = process.env.KEFU_FACE_BENCH_DIR ?? fileURLToPath(new URL('../test/fixtures/faces/persons/', import.meta.url));
const faces = readdirSync(dir).flatMap((p) => readdirSync(join(dir, p)).map((f) => readFileSync(join(dir, p, f))));
// what a terminal sends: a 640×480 JPEG camera frame with the face in it (here 300 px, at arm's length)
const images = await Promise.all(faces.map(async (b) => new Uint8Array(await sharp(b).resize(300, 300).extend({ top: 90, bottom: 90, left: 170, right: 170, background: '#7a8088' }).jpeg({ quality: 85 }).toBuffer())));
const emit = (o: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(o)}\n`);
const r1 = (v: number) => Math.round(v * 10) / 10;

async function latency(engine: FaceEngine, template: Float32Array, rounds: number): Promise<number[]> {
  const ms: number[] = [];
  for (let k = 0; k < rounds; k++) {
    for (const img of images) {
      const t = performance.now();
      const r = await engine.analyse(img, { embed: 'largest' });
      if (r.faces[0]?.embedding) dot(r.faces[0].embedding, template);
      ms.push(performance.now() - t);
    }
  }
  return ms.sort((a, b) => a - b);
}

async function throughput(engine: FaceEngine, n: number): Promise<number> {
  const t = performance.now();
  await Promise.all(Array.from({ length: n }, (_, i) => engine.analyse(images[i % images.length], { embed: 'largest' })));
  return (n * 1000) / (performance.now() - t);
}

const inline = createFaceEngine({ workers: 0 });
const pool = createFaceEngine({ workers: availableParallelism() });
await inline.start(); await pool.start();
const template = (await inline.analyse(images[0])).faces[0].embedding!;
await latency(inline, template, 1); // warm-up

for (let run = 1; run <= 2; run++) {
  const single = await latency(inline, template, 2);
  const pooled = await latency(pool, template, 1);
  emit({ bench: 'face.verify_latency', run, frame: '640x480 jpeg', images: single.length, p50_ms: r1(quantile(single, 0.5)), p95_ms: r1(quantile(single, 0.95)), pool_p50_ms: r1(quantile(pooled, 0.5)), target_p50_ms: 60 });
  const n = images.length * 2;
  const tSingle = await throughput(inline, n), tPool = await throughput(pool, n);
  emit({ bench: 'face.throughput', run, images: n, single_per_s: r1(tSingle), pool_per_s: r1(tPool), workers: pool.workers, ratio: Math.round((tPool / tSingle) * 100) / 100 });
}
await inline.stop(); await pool.stop();

// 1:N: 100,000 random unit vectors; the query is a noisy copy of one of them
const N = 100_000, D = 512;
const gallery = createGallery(D);
const floats = new Float32Array(N * D);
let seed = 42;
const rand = () => { seed = (seed * 1664525 + 1013904223) >>> 0; return seed / 2 ** 32 - 0.5; };
for (let i = 0; i < N; i++) {
  const v = new Float32Array(D);
  for (let k = 0; k < D; k++) v[k] = rand();
  const u = l2normalise(v);
  floats.set(u, i * D);
  gallery.upsert(`acct-${i}`, u);
}
// the peer: a float loop with four accumulators (about the best plain JS does)
const plainScan = (q: Float32Array) => {
  let best = -Infinity, bi = -1;
  for (let r = 0, o = 0; r < N; r++, o += D) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let k = 0; k < D; k += 4) { s0 += floats[o + k] * q[k]; s1 += floats[o + k + 1] * q[k + 1]; s2 += floats[o + k + 2] * q[k + 2]; s3 += floats[o + k + 3] * q[k + 3]; }
    const s = s0 + s1 + s2 + s3;
    if (s > best) { best = s; bi = r; }
  }
  return bi;
};
for (let run = 1; run <= 2; run++) {
  const simd: number[] = [], plain: number[] = [];
  let correct = 0;
  for (let qn = 0; qn < 30; qn++) {
    const target = (qn * 3331) % N;
    const q = new Float32Array(D);
    for (let k = 0; k < D; k++) q[k] = floats[target * D + k] + rand() * 0.05;
    let t = performance.now();
    const m = gallery.search(q, 1);
    simd.push(performance.now() - t);
    if (m[0]?.id === `acct-${target}`) correct++;
    if (qn < 5) { t = performance.now(); plainScan(l2normalise(q)); plain.push(performance.now() - t); }
  }
  simd.sort((a, b) => a - b); plain.sort((a, b) => a - b);
  emit({ bench: 'face.search_1n', run, templates: N, dim: D, queries: simd.length, p50_ms: r1(quantile(simd, 0.5)), p95_ms: r1(quantile(simd, 0.95)), plain_js_p50_ms: r1(quantile(plain, 0.5)), speedup: r1(quantile(plain, 0.5) / quantile(simd, 0.5)), top1_correct: correct / simd.length, target_ms: 10 });
}
