// The switch budget against flapping, on the selector with a fake clock: a single outage still fails back after
// the plain hold-down; a link that keeps failing is failed back to only when the hour has room for the failback
// and the failover its next drop forces; the budget window can be compressed with the other hour-scale knobs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSelector, type SwitchEvent } from '../../transports/manager/selector.js';
import { ManagerOptions, type ManagerOptionsInput } from '../../transports/manager/options.js';

const HOUR = 3600_000;
type Probe = (t: number) => { ok: boolean; rttMs?: number; error?: string };

function drive(input: ManagerOptionsInput, fiveG: Probe, ms: number): SwitchEvent[] {
  const opts = ManagerOptions.parse({ order: ['5g', '4g'], ...input });
  const sel = createSelector([{ id: '5g', kind: 'nr5g' }, { id: '4g', kind: 'lte' }], opts, 0);
  for (const id of ['5g', '4g']) sel.transportState(id, { status: 'up', quality: 1, since: 0 }, 0);
  const out: SwitchEvent[] = [];
  for (let t = opts.probe.intervalMs; t <= ms; t += opts.probe.intervalMs) {
    sel.probe('5g', { ...fiveG(t), at: t });
    sel.probe('4g', { ok: true, rttMs: 25, at: t });
    const ev = sel.evaluate(t);
    if (ev) { sel.commit(ev); if (ev.kind !== 'initial') out.push(ev); }
  }
  return out;
}

const maxInWindow = (evs: SwitchEvent[], windowMs: number, from = -Infinity) =>
  Math.max(0, ...evs.filter((e) => e.at >= from).map((e) => evs.filter((x) => x.at >= e.at && x.at < e.at + windowMs).length));

test('a single outage fails back after the plain hold-down, whatever the budget rule', () => {
  const evs = drive({}, (t) => (t > 10_000 && t < 20_000 ? { ok: false, error: 'timeout' } : { ok: true, rttMs: 20 }), 5 * 60_000);
  assert.deepEqual(evs.map((e) => e.kind), ['failover', 'failback']);
  assert.ok(evs[1].at - 20_000 >= 60_000 && evs[1].at - 20_000 < 70_000, `failed back ${evs[1].at - 20_000} ms after the link returned`);
});

for (const periodS of [90, 900, 3000]) {
  test(`a link dropping 10 s every ${periodS} s: at most 2 switches in any hour after the first failure's`, () => {
    // probes once a second: the same decisions, a quarter of the steps
    const evs = drive({ probe: { intervalMs: 1000, standbyIntervalMs: 1000 } }, (t) => (t > 5000 && ((t - 5000) / 1000) % periodS < 10 ? { ok: false, error: 'timeout' } : { ok: true, rttMs: 20 }), 12 * HOUR);
    assert.ok(evs.length >= 1);
    assert.ok(maxInWindow(evs, HOUR) <= 3, `${maxInWindow(evs, HOUR)} switches in one hour`);
    assert.ok(maxInWindow(evs, HOUR, evs[0].at + HOUR) <= 2, `${maxInWindow(evs, HOUR, evs[0].at + HOUR)} switches in a later hour`);
    assert.ok(evs.length <= 2 * 12 + 1, `${evs.length} switches in 12 h`);
  });
}

test('the budget window compresses with the hold-down: the same pattern at 1/60 of the time', () => {
  const k = 1 / 60;
  const scaled: ManagerOptionsInput = { holdDownMs: 60_000 * k, maxHoldDownMs: HOUR * k, flapWindowMs: 6 * HOUR * k, budgetWindowMs: HOUR * k, probe: { window: 4, upAfter: 1 } };
  // 5G drops for 1 s every 90 s (every 1.5 simulated hours) for 12 simulated hours
  const drops: Probe = (t) => (t > 2000 && ((t - 2000) / 1000) % 90 < 1 ? { ok: false, error: 'timeout' } : { ok: true, rttMs: 20 });
  const evs = drive(scaled, drops, 12 * HOUR * k);
  assert.ok(evs.some((e) => e.kind === 'failback'), 'it failed back at least once');
  assert.ok(maxInWindow(evs, HOUR * k, evs[0].at + HOUR * k) <= 2, `${maxInWindow(evs, HOUR * k, evs[0].at + HOUR * k)} switches in a later compressed hour`);
  // with an uncompressed (1 h) budget window the same 12 min hold only the first failover, fail-back and failover
  const unscaled = drive({ ...scaled, budgetWindowMs: HOUR }, drops, 12 * HOUR * k);
  assert.ok(unscaled.length <= 3 && unscaled.length < evs.length, `${unscaled.length} vs ${evs.length}`);
});
