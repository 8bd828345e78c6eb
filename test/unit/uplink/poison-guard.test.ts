import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPoisonGuard } from '../../../daemon/uplink/poison-guard.js';

test('an event that kills the connection right after it is sent, alone, three times, is quarantined', () => {
  let now = 0;
  const g = createPoisonGuard({ now: () => now });
  // a window of events: 1..3 acked, 4 (poison) and 5 in flight when the broker hangs up
  for (const s of [1, 2, 3, 4, 5]) g.sent(s);
  for (const s of [1, 2, 3]) g.acked(s);
  assert.equal(g.closed(), null);
  assert.equal(g.probing, false, 'something got through: no reason to suspect yet');
  g.sent(4); g.sent(5);
  assert.equal(g.closed(), null);
  assert.equal(g.probing, true, 'nothing acknowledged: one at a time from now on');
  assert.equal(g.limit(256), 1);
  for (let strike = 1; strike <= 3; strike++) {
    g.sent(4);
    now += 100;
    assert.equal(g.closed(), strike === 3 ? 4 : null);
  }
});

test('a slow death (a cut link found by keepalive) does not count against the event, and acks end probing', () => {
  let now = 0;
  const g = createPoisonGuard({ now: () => now, probeAcks: 2 });
  g.sent(1);
  assert.equal(g.closed(), null);
  for (let i = 0; i < 5; i++) { g.sent(1); now += 5000; assert.equal(g.closed(), null); }
  g.sent(1); g.acked(1); g.sent(2); g.acked(2);
  assert.equal(g.probing, false);
  assert.equal(g.limit(256), 256);
});

test('while probing, a strike counts against the event in flight, not the one acknowledged before it', () => {
  let now = 0;
  const g = createPoisonGuard({ now: () => now });
  g.sent(1); g.sent(2);
  assert.equal(g.closed(), null);
  assert.equal(g.probing, true);
  for (let strike = 1; strike <= 3; strike++) {
    g.sent(1); g.acked(1); g.sent(2);
    now += 100;
    assert.equal(g.closed(), strike === 3 ? 2 : null);
  }
});
