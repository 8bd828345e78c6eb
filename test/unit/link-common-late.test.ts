// A ping late on every alive link at once is the broker's or the box's delay, not a link's: it counts against none.
// One late while another link answered on time at the same moment still counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSelector, type LinkRef } from '../../transports/manager/selector.js';
import { ManagerOptions, type ManagerOptionsInput } from '../../transports/manager/options.js';

const LINKS: LinkRef[] = [{ id: '5g', kind: 'nr5g' }, { id: '4g', kind: 'lte' }];

/** Both links pinged every 250 ms; every other ping comes back 240 ms late on the links `lateOn` names. */
function drive(input: ManagerOptionsInput, lateOn: { '5g': boolean; '4g': boolean }) {
  const opts = ManagerOptions.parse(input);
  const sel = createSelector(LINKS, opts, 0);
  for (const l of LINKS) sel.transportState(l.id, { status: 'up', quality: 1, since: 0 }, 0);
  const kinds: string[] = [];
  for (let t = 250; t <= 10_000; t += 250) {
    const busy = (t / 250) % 2 === 0;
    sel.probe('5g', { ok: true, at: t, rttMs: busy && lateOn['5g'] ? 245 : 5 });
    sel.probe('4g', { ok: true, at: t - 2, rttMs: busy && lateOn['4g'] ? 243 : 3 });
    const ev = sel.evaluate(t);
    if (ev) { sel.commit(ev); kinds.push(`${ev.kind} ${ev.to}`); }
  }
  return { kinds, status: sel.status(10_000) };
}

test('late on every link at once: no link blamed, no switch', () => {
  const r = drive({}, { '5g': true, '4g': true });
  assert.deepEqual(r.kinds, ['initial 5g']);
  assert.deepEqual(r.status.map((s) => [s.id, s.good, s.lossPct]), [['5g', true, 0], ['4g', true, 0]]);
});

test('late on 5G alone (4G answered on time meanwhile): 5G is blamed and left', () => {
  const r = drive({}, { '5g': true, '4g': false });
  assert.deepEqual(r.kinds, ['initial 5g', 'quality 4g']);
  assert.match(r.status.find((s) => s.id === '5g')!.reason ?? '', /late \d+%/);
});

test('gates.excuseCommonLate false: shared lateness counts as before', () => {
  const r = drive({ gates: { excuseCommonLate: false } }, { '5g': true, '4g': true });
  assert.equal(r.status.find((s) => s.id === '5g')!.good, false);
});
