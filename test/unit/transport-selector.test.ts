// The manager's decision core driven by a fake clock: failover, gates, hold-down, flapping, forced switches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSelector, type LinkRef, type SwitchEvent } from '../../transports/manager/selector.js';
import { ManagerOptions, type ManagerOptionsInput } from '../../transports/manager/options.js';
import type { TransportState } from '../../transports/transport.js';

const LINKS: LinkRef[] = [{ id: 'eth', kind: 'wired' }, { id: '4g', kind: 'lte' }, { id: '5g', kind: 'nr5g' }];
type LinkSim = (t: number) => { ok: boolean; rttMs?: number; hard?: boolean } | null;

function harness(input: ManagerOptionsInput = {}, links = LINKS) {
  const opts = ManagerOptions.parse(input);
  const sel = createSelector(links, opts, 0);
  const events: SwitchEvent[] = [];
  let now = 0;
  const up: TransportState = { status: 'up', quality: 1, since: 0 };
  for (const l of links) sel.transportState(l.id, up, 0);
  const sims = new Map<string, LinkSim>(links.map((l) => [l.id, () => ({ ok: true, rttMs: 20 })]));
  return {
    sel, events, opts,
    get now() { return now; },
    set(id: string, sim: LinkSim) { sims.set(id, sim); },
    /** advances the clock probe interval by probe interval, committing every proposal */
    run(ms: number) {
      const end = now + ms;
      while (now < end) {
        now += opts.probe.intervalMs;
        for (const [id, sim] of sims) { const r = sim(now); if (r) sel.probe(id, { ...r, at: now }); }
        const ev = sel.evaluate(now);
        if (ev) { sel.commit(ev); events.push(ev); }
      }
    },
  };
}

test('starts on the best-ranked link, not the first to answer', () => {
  const h = harness();
  h.set('5g', (t) => (t < 500 ? null : { ok: true, rttMs: 30 }));
  h.run(2000);
  assert.equal(h.sel.active(), '5g');
  assert.equal(h.events.length, 1);
  assert.equal(h.events[0].kind, 'initial');
});

test('a hard failure on the active link fails over at the next probe', () => {
  const h = harness();
  h.run(2000);
  const cut = h.now;
  h.set('5g', () => ({ ok: false, hard: true, error: 'EHOSTUNREACH' }));
  h.run(1000);
  const ev = h.events.find((e) => e.kind === 'failover');
  assert.ok(ev, 'failover happened');
  assert.equal(ev.to, '4g');
  assert.ok(ev.at - cut <= 250, `detected after ${ev.at - cut} ms`);
  assert.match(ev.reason, /EHOSTUNREACH/);
});

test('silent timeouts fail over after downAfter probes', () => {
  const h = harness();
  h.run(2000);
  const cut = h.now;
  h.set('5g', () => ({ ok: false, error: 'timeout' }));
  h.run(3000);
  const ev = h.events.find((e) => e.kind === 'failover');
  assert.ok(ev);
  assert.equal(ev.at - cut, h.opts.probe.downAfter * h.opts.probe.intervalMs);
});

test('fail-back only after the preferred link passed its gates for the hold-down time', () => {
  const h = harness({ holdDownMs: 10_000 });
  h.run(2000);
  h.set('5g', () => ({ ok: false, hard: true }));
  h.run(2000);
  const back = h.now;
  h.set('5g', () => ({ ok: true, rttMs: 20 }));
  h.run(9000);
  assert.equal(h.sel.active(), '4g', 'still on 4g inside the hold-down');
  h.run(10_000);
  assert.equal(h.sel.active(), '5g');
  const fb = h.events.find((e) => e.kind === 'failback');
  assert.ok(fb);
  assert.ok(fb.at - back >= 10_000 && fb.at - back < 16_000, `failback after ${fb.at - back} ms`);
});

test('a transport that reports down is dead at once, whatever the probes say', () => {
  const h = harness();
  h.run(2000);
  h.sel.transportState('5g', { status: 'down', quality: null, since: h.now, reason: 'carrier lost' }, h.now);
  h.run(250);
  assert.equal(h.sel.active(), '4g');
  assert.match(h.events.at(-1)!.reason, /carrier lost/);
});

test('quality gates: high RTT and weak signal move to a good link; a degraded link beats none', () => {
  const h = harness({ gates: { maxRttMs: 500 } });
  h.run(2000);
  h.set('5g', () => ({ ok: true, rttMs: 900 }));
  h.run(6000);
  assert.equal(h.sel.active(), '4g');
  assert.equal(h.events.at(-1)!.kind, 'quality');
  assert.match(h.events.at(-1)!.reason, /rtt|late/);

  h.sel.transportState('4g', { status: 'up', quality: 0.2, since: h.now, detail: { rat: 'LTE', rsrp_dbm: -130, sinr_db: 3 } }, h.now);
  h.run(500);
  assert.equal(h.sel.active(), 'eth');
  assert.match(h.events.at(-1)!.reason, /rsrp -130/);

  h.set('eth', () => ({ ok: false, hard: true }));
  h.run(500);
  assert.ok(['5g', '4g'].includes(h.sel.active() ?? ''), 'an alive link that fails its gates is still used when nothing is good');
});

test('pings answered only after a retransmission count as lost: a lossy link fails its gate while still alive', () => {
  const h = harness();
  h.run(2000);
  let i = 0;
  // every other ping needs a TCP retransmission (~200 ms); none times out
  h.set('5g', () => ({ ok: true, rttMs: ++i % 2 ? 210 : 2 }));
  h.run(6000);
  assert.equal(h.sel.active(), '4g');
  assert.equal(h.events.at(-1)!.kind, 'quality');
  assert.match(h.events.at(-1)!.reason, /late/);
});

test('all links down: active becomes null, then the first link back is taken', () => {
  const h = harness();
  h.run(2000);
  for (const l of LINKS) h.set(l.id, () => ({ ok: false, hard: true }));
  h.run(500);
  assert.equal(h.sel.active(), null);
  assert.equal(h.events.at(-1)!.kind, 'all-down');
  h.set('eth', () => ({ ok: true, rttMs: 5 }));
  h.run(2000);
  assert.equal(h.sel.active(), 'eth');
});

test('forced switch holds until its timeout, then automatic selection resumes', () => {
  const h = harness({ holdDownMs: 60_000 });
  h.run(2000);
  h.sel.force('eth', h.now + 5000);
  h.run(250);
  assert.equal(h.sel.active(), 'eth');
  assert.equal(h.events.at(-1)!.kind, 'forced');
  h.run(4000);
  assert.equal(h.sel.active(), 'eth');
  h.run(1500);
  assert.equal(h.sel.active(), '5g');
  assert.equal(h.events.at(-1)!.kind, 'force-ended');
});

test('a forced link that dies hands back to automatic selection', () => {
  const h = harness();
  h.run(2000);
  h.sel.force('eth', h.now + 600_000);
  h.run(500);
  h.set('eth', () => ({ ok: false, hard: true }));
  h.run(500);
  assert.equal(h.sel.active(), '5g');
});

test('order is configurable and updatable at runtime', () => {
  const h = harness({ order: ['wired', 'lte', 'nr5g'], holdDownMs: 1000 });
  h.run(2000);
  assert.equal(h.sel.active(), 'eth');
  h.sel.setOrder(['4g', 'eth', '5g']);
  h.run(3000);
  assert.equal(h.sel.active(), '4g');
});

test('flapping: exponential hold-down keeps switches to <= 2 per hour over 6 hours', () => {
  for (const periodS of [30, 120, 600, 2400, 3700]) {
    const h = harness({ holdDownMs: 60_000 });
    h.run(2000);
    // 5g goes silent for 10 s once per period
    h.set('5g', (t) => ((t / 1000) % periodS < 10 ? { ok: false, error: 'timeout' } : { ok: true, rttMs: 20 }));
    const start = h.now;
    h.run(6 * 3600_000);
    const n = h.events.filter((e) => e.at > start).length;
    assert.ok(n / 6 <= 2, `period ${periodS} s: ${n} switches in 6 h`);
    const holds = h.sel.status(h.now).find((s) => s.id === '5g')!.holdDownMs;
    if (periodS < 3600) assert.ok(holds > 60_000, `hold-down grew (${holds} ms) for period ${periodS} s`);
  }
});
