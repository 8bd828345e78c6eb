import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileAllowList } from '../../../daemon/commands/allow-list.js';
import { createTelemetryLimiter } from '../../../daemon/uplink/telemetry-limiter.js';

test('allow-list globs match whole command names', () => {
  const allowed = compileAllowList(['system.*', 'chat.kb.reload', 'video.?ute']);
  assert.ok(allowed('system.info'));
  assert.ok(allowed('system.reboot.now'));
  assert.ok(allowed('chat.kb.reload'));
  assert.ok(allowed('video.mute'));
  assert.ok(!allowed('systemXinfo'), 'the dot is literal');
  assert.ok(!allowed('chat.kb.reload2'));
  assert.ok(!allowed('evil.system.info'));
  assert.ok(!compileAllowList([])('system.info'));
  assert.ok(compileAllowList(['*'])('anything.at.all'));
});

test('a ! pattern denies, and deny wins over allow in any order', () => {
  const allowed = compileAllowList(['!shell.*', '*', '!modem.at']);
  assert.ok(allowed('system.info'));
  assert.ok(allowed('modem.signal'));
  assert.ok(!allowed('shell.exec'));
  assert.ok(!allowed('modem.at'));
  assert.ok(!compileAllowList(['!shell.*'])('system.info'), 'only denies: nothing is allowed');
});

test('telemetry limiter: at most one per interval per name, latest wins', async () => {
  const sent: Array<[string, number]> = [];
  const lim = createTelemetryLimiter<number>({ intervalMs: 100, send: (n, v) => { sent.push([n, v]); return true; } });
  try {
    lim.offer('a', 1);
    lim.offer('a', 2);
    lim.offer('a', 3);
    lim.offer('b', 9);
    assert.deepEqual(sent, [['a', 1], ['b', 9]]);
    await new Promise((r) => setTimeout(r, 150));
    assert.deepEqual(sent, [['a', 1], ['b', 9], ['a', 3]]);
  } finally {
    lim.stop();
  }
});

test('telemetry limiter holds the latest value while the link is down', () => {
  let up = false;
  const sent: number[] = [];
  const lim = createTelemetryLimiter<number>({ intervalMs: 1000, send: (_n, v) => { if (!up) return false; sent.push(v); return true; } });
  lim.offer('a', 1);
  lim.offer('a', 2);
  up = true;
  lim.flushHeld();
  assert.deepEqual(sent, [2]);
  lim.stop();
});
