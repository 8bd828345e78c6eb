// Load shedding (overload.ts): a lagging event loop raises the level (halving thumbnails' frame rate), a calm
// one gives it back slowly; small calls are never thinned.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOverloadGauge, shedFps } from '../../plugins/video/sfu/overload.js';
import { temporalCap, thumbnailFps } from '../../plugins/video/sfu/layer-policy.js';

const block = (ms: number) => { const until = Date.now() + ms; while (Date.now() < until) { /* a stalled event loop */ } };
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('overload gauge: up one level per overloaded evaluation (at most 2), down one after a calm stretch', async (t) => {
  const g = createOverloadGauge({ highMs: 40, lowMs: 30, calmTicks: 3 });
  t.after(() => g.stop());
  assert.equal(g.evaluate(), 0, 'not started: level 0');
  g.start(); g.start();
  await tick(50);
  assert.equal(g.evaluate(), 0, 'an idle loop');
  for (const want of [1, 2, 2]) {
    // a loop busy all the time (every timer late by ~60 ms), not one stall
    const busy = setInterval(() => block(60), 1);
    await tick(450);
    clearInterval(busy);
    assert.equal(g.evaluate(), want);
  }
  for (let i = 0; i < 2; i++) { await tick(40); assert.equal(g.evaluate(), 2, 'calm, but not for long enough'); }
  await tick(40);
  // a busy CI box may make one evaluation not calm: it only delays the step down
  let evals = 2;
  while (g.evaluate() === 2 && evals < 30) { evals++; await tick(40); }
  assert.equal(g.level, 1, 'one level back, not all');
  g.stop();
  assert.equal(g.level, 0);
});

test('shedFps: a 32-tile grid goes from TL0+TL1 (7.5 fps) to TL0 (3.75 fps); calls of up to 4 tiles stay whole', () => {
  const fps = [3.75, 3.75, 7.5]; // L1T3 at 15 fps: frames per second per TID
  assert.equal(temporalCap(fps, shedFps(thumbnailFps(31), 0)), 1);
  assert.equal(temporalCap(fps, shedFps(thumbnailFps(31), 1)), 0);
  assert.equal(shedFps(thumbnailFps(4), 2), Infinity);
  assert.equal(temporalCap(fps, shedFps(thumbnailFps(3), 2)), 2);
});
