import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createChallengeBook, evaluateChallenge, eyeAspectRatio, type FrameObservation } from '../../plugins/faceauth/liveness/challenge.js';
import { l2normalise } from '../../plugins/faceauth/engine/vector.js';

const person = l2normalise(Float32Array.from({ length: 512 }, (_, i) => Math.sin(i)));
const other = l2normalise(Float32Array.from({ length: 512 }, (_, i) => Math.cos(i * 7)));
const f = (yaw: number, ear = 0.3, emb = person): FrameObservation => ({ faces: 1, yaw, ear, embedding: emb });

test('a still image (same yaw every frame) fails every turn challenge', () => {
  const still = [f(2), f(2), f(2), f(2)];
  assert.equal(evaluateChallenge('turn-left', still).reason, 'NO_TURN');
  assert.equal(evaluateChallenge('turn-right', still).reason, 'NO_TURN');
  assert.equal(evaluateChallenge('blink', still).reason, 'NO_BLINK');
});

test('turning the asked way passes; the other way or too little does not', () => {
  const left = [f(1), f(-8), f(-20), f(-28)];
  assert.equal(evaluateChallenge('turn-left', left).passed, true);
  assert.equal(evaluateChallenge('turn-right', left).reason, 'WRONG_DIRECTION');
  assert.equal(evaluateChallenge("turn-left", [f(1), f(-10), f(-20)]).reason, "NO_TURN");
  assert.equal(evaluateChallenge('turn-right', [f(25), f(28), f(32)]).reason, 'NO_FRONTAL_FRAME');
});

test('a face swapped mid-sequence, a second face or too few frames fail', () => {
  assert.equal(evaluateChallenge('turn-right', [f(0), f(10), f(30, 0.3, other)]).reason, 'FACE_CHANGED');
  assert.equal(evaluateChallenge('turn-right', [f(0), { ...f(10), faces: 2 }, f(25)]).reason, 'MULTIPLE_FACES');
  assert.equal(evaluateChallenge('turn-right', [f(0), f(25)]).reason, 'TOO_FEW_FRAMES');
  assert.equal(evaluateChallenge('turn-right', [f(0), { faces: 0 }, { faces: 0 }, f(25)]).reason, 'TOO_FEW_FRAMES');
});

test('a blink is open → closed → open', () => {
  assert.equal(evaluateChallenge('blink', [f(0, 0.3), f(0, 0.31), f(0, 0.12), f(0, 0.29)]).passed, true);
  assert.equal(evaluateChallenge('blink', [f(0, 0.3), f(0, 0.31), f(0, 0.12), f(0, 0.13)]).reason, 'NO_BLINK', 'eyes never reopened');
  assert.equal(evaluateChallenge('blink', [f(0, 0.12), f(0, 0.12), f(0, 0.12)]).reason, 'NO_BLINK');
});

test('eye aspect ratio: an open eye is tall, a closed one flat', () => {
  const lm = new Float32Array(136);
  const eye = (o: number, h: number) => {
    const pts = [[0, 0], [1, -h], [2, -h], [3, 0], [2, h], [1, h]];
    pts.forEach(([x, y], i) => { lm[2 * (o + i)] = x + o; lm[2 * (o + i) + 1] = y; });
  };
  eye(36, 0.5); eye(42, 0.5);
  assert.ok(Math.abs(eyeAspectRatio(lm) - 1 / 3) < 1e-6);
  eye(36, 0.05); eye(42, 0.05);
  assert.ok(eyeAspectRatio(lm) < 0.05);
});

test('challenges are single use and expire', () => {
  let now = 0;
  const book = createChallengeBook(1000, () => now);
  const c = book.issue();
  assert.ok(c.kind === 'turn-left' || c.kind === 'turn-right');
  assert.deepEqual(book.take(c.id), c);
  assert.equal(book.take(c.id), null);
  const d = book.issue(['blink']);
  assert.equal(d.kind, 'blink');
  now = 2000;
  assert.equal(book.take(d.id), null);
});
