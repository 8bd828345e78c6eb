import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkQuality } from '../../plugins/faceauth/quality.js';
import type { AnalyseResult, FaceResult } from '../../plugins/faceauth/engine/pipeline.js';
import { distribution, impostorTailThreshold, normalQuantile, rates } from '../../plugins/faceauth/eval/score-stats.js';

const face = (over: Partial<FaceResult['metrics']> = {}, pose = { yaw: 0, pitch: 0, roll: 0 }, h = 200): FaceResult => ({
  box: { x1: 100, y1: 100, x2: 100 + h, y2: 100 + h, score: 0.99 }, landmarks: [], pose,
  metrics: { eyeDistance: 80, sharpness: 600, brightness: 130, overexposed: 0, inFrame: 1, ...over },
});
const codes = (faces: FaceResult[]) => checkQuality({ width: 640, height: 480, faces } as AnalyseResult).issues.map((i) => i.code);

test('a good frame passes; each failure has its own code with Chinese and English guidance', () => {
  assert.deepEqual(codes([face()]), []);
  assert.deepEqual(codes([]), ['NO_FACE']);
  assert.deepEqual(codes([face(), face({}, undefined, 150)]), ['MULTIPLE_FACES']);
  assert.deepEqual(codes([face(), face({}, undefined, 40)]), [], 'a small face far behind is tolerated');
  assert.deepEqual(codes([face({ eyeDistance: 25 })]), ['FACE_TOO_SMALL']);
  assert.deepEqual(codes([face({ inFrame: 0.9 })]), ['FACE_CUT']);
  assert.deepEqual(codes([face({}, { yaw: 30, pitch: 0, roll: 0 })]), ['NOT_FRONTAL']);
  assert.deepEqual(codes([face({}, { yaw: 0, pitch: 0, roll: 30 })]), ['HEAD_TILTED']);
  assert.deepEqual(codes([face({ sharpness: 40 })]), ['BLURRY']);
  assert.deepEqual(codes([face({ brightness: 40, sharpness: 40 })]), ['TOO_DARK']);
  assert.deepEqual(codes([face({ overexposed: 0.3 })]), ['TOO_BRIGHT']);
  const v = checkQuality({ width: 1, height: 1, faces: [face({ brightness: 40 })] });
  assert.equal(v.issues[0].zh, '光线太暗，请到明亮的地方');
  assert.match(v.issues[0].en, /dark/);
});

test('score statistics: normal quantile, rates and the impostor-tail threshold', () => {
  assert.ok(Math.abs(normalQuantile(0.9999) - 3.719) < 1e-3);
  assert.ok(Math.abs(normalQuantile(0.5)) < 1e-9);
  assert.ok(Math.abs(normalQuantile(0.001) + 3.0902) < 1e-3);
  assert.deepEqual(rates([0.5, 0.2, 0.9, 0.35], [0.1, 0.4, -0.2], 0.38), { frr: 0.5, far: 1 / 3 });
  const imp = Array.from({ length: 2001 }, (_, i) => normalQuantile((i + 0.5) / 2001) * 0.1);
  assert.ok(Math.abs(impostorTailThreshold(imp) - 0.3719) < 0.01);
  const d = distribution([1, 2, 3, 4, 5]);
  assert.equal(d.min, 1); assert.equal(d.max, 5); assert.equal(d.p50, 3);
});
