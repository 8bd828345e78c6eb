// The real ONNX pipeline on the fixture faces: detection, genuine vs impostor scores at the default
// threshold, pool = inline, quality codes on degraded frames, and liveness on real and spoofed sequences.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { createFaceEngine, type FaceEngine } from '../../plugins/faceauth/engine/engine.js';
import { evaluateDir } from '../../plugins/faceauth/eval/evaluate.js';
import { DEFAULT_THRESHOLD } from '../../plugins/faceauth/config.js';
import { dot } from '../../plugins/faceauth/engine/vector.js';
import { checkQuality } from '../../plugins/faceauth/quality.js';
import { evaluateChallenge, observeFrame } from '../../plugins/faceauth/liveness/challenge.js';
import { flipped, tiltedPhoto } from '../helpers/face-frames.js';

const FIX = fileURLToPath(new URL('../fixtures/faces/', import.meta.url));
const read = (p: string) => new Uint8Array(readFileSync(FIX + p));
let engine: FaceEngine;
let liveEngine: FaceEngine;

before(async () => {
  engine = createFaceEngine({ workers: 0 });
  liveEngine = createFaceEngine({ workers: 0, liveness: true });
  await engine.start();
});
after(async () => { await engine?.stop(); await liveEngine?.stop(); });

test('every fixture face is found; at the default threshold no genuine pair is rejected and no impostor accepted', async () => {
  const { result, stats } = await evaluateDir(engine, FIX + 'persons', DEFAULT_THRESHOLD, { stats: true });
  assert.equal(result.persons, 8);
  assert.equal(result.images, 40);
  assert.equal(result.detected, 40);
  assert.equal(result.genuine_pairs, 80);
  assert.equal(result.impostor_pairs, 700);
  assert.ok(result.frr <= 0.02, `FRR ${result.frr}`);
  assert.ok(result.far <= 0.001, `FAR ${result.far}`);
  assert.ok(stats!.genuine.p5 > stats!.impostor.max, `genuine p5 ${stats!.genuine.p5} vs impostor max ${stats!.impostor.max}`);
  assert.ok(Math.abs(stats!.tail_threshold_1e4 - DEFAULT_THRESHOLD) < 0.06, `tail rule ${stats!.tail_threshold_1e4}`);
});

test('the worker pool returns the same embeddings as inline inference', async (t) => {
  const pool = createFaceEngine({ workers: 2 });
  t.after(() => pool.stop());
  const img = read('persons/raj/raj1.png');
  const [a, b] = await Promise.all([engine.analyse(img), pool.analyse(img)]);
  assert.ok(dot(a.faces[0].embedding!, b.faces[0].embedding!) > 0.9999);
  assert.equal(b.faces[0].embedding!.length, 512);
});

test('degraded frames get the matching quality code; a group photo is refused for enrollment', async () => {
  const good = read('persons/sheldon/sheldon1.png');
  const codes = async (b: Uint8Array | Buffer) => checkQuality(await engine.analyse(new Uint8Array(b), { embed: 'none' })).issues.map((i) => i.code);
  assert.deepEqual(await codes(good), []);
  assert.ok((await codes(await sharp(good).blur(3).png().toBuffer())).includes('BLURRY'));
  assert.ok((await codes(await sharp(good).modulate({ brightness: 0.3 }).png().toBuffer())).includes('TOO_DARK'));
  assert.ok((await codes(await sharp(good).resize(60).extend({ top: 100, bottom: 100, left: 100, right: 100, background: '#888' }).png().toBuffer())).includes('FACE_TOO_SMALL'));
  assert.ok((await codes(read('_scenes/bbt4.jpg'))).includes('MULTIPLE_FACES'));
  assert.deepEqual(await codes(await sharp({ create: { width: 320, height: 240, channels: 3, background: '#777' } }).png().toBuffer()), ['NO_FACE']);
});

const observe = async (frames: Array<Uint8Array | Buffer>) => Promise.all(frames.map(async (f) => observeFrame(await engine.analyse(new Uint8Array(f)))));
const turnRight = ['persons/stuart/stuart1.png', 'persons/stuart/stuart3.png', 'persons/stuart/stuart5.png'];

test('liveness: a real head turn passes in the asked direction, its mirror image the other way', async () => {
  const seq = await observe(turnRight.map(read));
  assert.deepEqual(evaluateChallenge('turn-right', seq).passed, true, JSON.stringify(evaluateChallenge('turn-right', seq)));
  assert.equal(evaluateChallenge('turn-left', seq).reason, 'WRONG_DIRECTION');
  const mirrored = await observe(await Promise.all(turnRight.map((p) => flipped(read(p)))));
  assert.equal(evaluateChallenge('turn-left', mirrored).passed, true);
});

test('liveness: a still image, a photo turned in front of the camera, or a swapped face fail', async () => {
  const still = await observe([0, 1, 2, 3].map(() => read('persons/stuart/stuart1.png')));
  assert.equal(evaluateChallenge('turn-right', still).reason, 'NO_TURN');
  const photo = read('persons/sheldon/sheldon1.png');
  for (const dir of [1, -1]) {
    const tilted = await observe(await Promise.all([0, 15, 30, 45].map((deg) => tiltedPhoto(photo, dir * deg, 1.2))));
    for (const kind of ['turn-left', 'turn-right'] as const) assert.equal(evaluateChallenge(kind, tilted).passed, false, `${kind} with a print tilted ${dir > 0 ? '+' : '-'}45°`);
  }
  const swapped = await observe([read(turnRight[0]), read(turnRight[1]), read('persons/leonard/leonard3.png')]);
  assert.equal(evaluateChallenge('turn-right', swapped).reason, 'FACE_CHANGED');
});

test('passive liveness model: the real sample scores above the printed ones', async () => {
  const score = async (p: string) => (await liveEngine.analyse(read(p), { embed: 'none', liveness: true })).faces[0].liveness!;
  const real = await score('_antispoof/image_T1.jpg'), fake = await score('_antispoof/image_F1.jpg');
  assert.ok(real > 0.5 && fake < 0.5, `real ${real}, fake ${fake}`);
});
