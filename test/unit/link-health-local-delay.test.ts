// The late and RTT gates judge a probe's RTT less the box's own event-loop delay (localMs); lost probes still count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLinkHealth, lossOf, medianRtt, netRtt, recordProbe } from '../../transports/manager/link-health.js';
import { ManagerOptions } from '../../transports/manager/options.js';

const opts = ManagerOptions.parse({});

function linkWith(probes: Array<{ ok: boolean; rttMs?: number; localMs?: number }>) {
  const h = createLinkHealth('5g');
  probes.forEach((p, i) => recordProbe(h, { ...p, at: 1000 + i * 250 }, opts));
  return h;
}

test('netRtt takes the local delay off, never below zero', () => {
  assert.equal(netRtt({ ok: true, at: 0, rttMs: 300, localMs: 290 }), 10);
  assert.equal(netRtt({ ok: true, at: 0, rttMs: 300, localMs: 400 }), 0);
  assert.equal(netRtt({ ok: true, at: 0, rttMs: 300 }), 300);
  assert.equal(netRtt({ ok: false, at: 0 }), undefined);
});

test('pings late only because the box was busy are neither late nor slow; the same RTTs without local delay are', () => {
  const fast = Array.from({ length: 12 }, () => ({ ok: true, rttMs: 5, localMs: 0 }));
  const stalled = [300, 450, 780, 210].map((rttMs) => ({ ok: true, rttMs, localMs: rttMs - 4 }));
  const excused = linkWith([...fast, ...stalled]);
  assert.equal(lossOf(excused, opts.gates.lateMs), 0);
  assert.equal(excused.good, true, excused.reason ?? '');
  const blamed = linkWith([...fast, ...stalled.map(({ rttMs }) => ({ ok: true, rttMs }))]);
  assert.equal(lossOf(blamed, opts.gates.lateMs), 0.25);
  assert.match(linkWith([...fast.slice(0, 6), ...stalled.map(({ rttMs }) => ({ ok: true, rttMs }))]).reason ?? '', /late 40%/);
});

test('only the local part is excused: a slow link stays slow, a lost probe stays lost', () => {
  // 240 ms on the wire plus 100 ms of a busy loop: the RTT gate sees 240 ms
  const slow = linkWith(Array.from({ length: 10 }, () => ({ ok: true, rttMs: 340, localMs: 100 })));
  assert.equal(medianRtt(slow), 240);
  const h = linkWith([...Array.from({ length: 10 }, () => ({ ok: true, rttMs: 5, localMs: 0 })), ...Array.from({ length: 4 }, () => ({ ok: false }))]);
  assert.ok(lossOf(h, opts.gates.lateMs) > opts.gates.maxLoss);
  assert.equal(h.good, false);
});
