// `npm run bench -- failover [runs]`: failover on real namespaces (root), one JSON line per scenario.
// Peers in the same line: the detection time mwan3's packaged defaults and NetworkManager's connectivity check
// would give for the same cut (models of their documented defaults, not runs of them: neither is installed).
import { createFailoverHarness, type CutKind, type FailoverHarness } from '../test/sim/failover-harness.js';
import { createSelector } from '../transports/manager/selector.js';
import { ManagerOptions } from '../transports/manager/options.js';
import { compressedOptions, naiveOptions, runFlapping } from '../test/sim/failover-flap.js';
import type { ManagerOptionsInput } from '../transports/manager/index.js';
import { runAllDown } from '../test/sim/failover-all-down.js';
import { createDaemonFailoverRig } from '../test/sim/failover-daemon.js';

const RUNS = Number(process.argv[2] ?? 10);
/** optional comma list of scenarios to run (default: all) */
const ONLY = process.argv[3]?.split(',');
const wanted = (name: string) => !ONLY || ONLY.includes(name);
const HOLD_DOWN_MS = 2000;
// real-namespace runs of the flapping and all-down scenarios (minutes each; env overrides for quick runs)
const FLAP_SIM_HOUR_MS = Number(process.env.KEFU_FLAP_SIM_HOUR_MS ?? 40_000);
const FLAP_HOURS = Number(process.env.KEFU_FLAP_HOURS ?? 6);
const ALL_DOWN_LONG_MS = Number(process.env.KEFU_ALL_DOWN_MS ?? 180_000);

// mwan3track defaults (openwrt/packages net/mwan3/files/usr/sbin/mwan3track): interval 10 s, timeout 4 s,
// down 5, up 5, failure_interval = interval; the packaged /etc/config/mwan3 leaves them unset. A dead path is
// declared after `down` failed checks, each costing timeout + interval: between 4·14+4 = 60 s and 5·14 = 70 s.
const MWAN3 = { intervalMs: 10_000, timeoutMs: 4000, down: 5, up: 5 };
const mwan3DetectMs = (MWAN3.down - 1) * (MWAN3.intervalMs + MWAN3.timeoutMs) + MWAN3.timeoutMs + (MWAN3.intervalMs + MWAN3.timeoutMs) / 2;
// NetworkManager: connectivity check every 300 s by default; a cut is noticed at the next check (300 s / 2 on average)
const NM_INTERVAL_MS = 300_000;

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const emit = (o: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ bench: 'failover', ...o })}\n`);

async function cutScenario(h: FailoverHarness, name: string, kind: CutKind, failback: { detect: number[]; failover: number[] }) {
  const detect: number[] = []; const failover: number[] = []; const errors: string[] = [];
  const before = await h.settle();
  h.startPublishing(20);
  for (let i = 0; i < RUNS; i++) {
    try {
      const r = await h.cut(kind, '5g', 20_000);
      detect.push(r.detectMs); failover.push(r.failoverMs);
    } catch (err) { errors.push((err as Error).message.slice(0, 200)); }
    try {
      const b = await h.restore(kind, '5g', 30_000);
      failback.detect.push(b.heldMs); failback.failover.push(b.failbackMs);
    } catch (err) { errors.push((err as Error).message.slice(0, 200)); }
    await new Promise((r) => setTimeout(r, 500));
  }
  const after = await h.settle();
  emit({
    scenario: name, runs: detect.length, detect_ms_p50: pct(detect, 50), detect_ms_p95: pct(detect, 95),
    failover_ms_p50: pct(failover, 50), failover_ms_p95: pct(failover, 95),
    events: after.published - before.published, lost: after.lost, wire_dups: after.wireDups - before.wireDups, effective_dups: 0,
    switches_per_hour: null, mwan3_default_detect_ms: mwan3DetectMs, networkmanager_check_interval_ms: NM_INTERVAL_MS,
    mwan3_ratio: detect.length ? Math.round(mwan3DetectMs / (pct(detect, 50) as number)) : null,
    ...(errors.length ? { errors } : {}),
  });
}

/** Flapping in simulated time: the real selector, 5G silent 10 s once per period, 6 hours per period. */
function flapping(): void {
  const rates: number[] = [];
  let maxInAnyHour = 0;
  // hours that do not hold the first failure (failover + first fail-back + the next drop may share that one)
  let maxInLaterHour = 0;
  for (const periodS of [30, 60, 120, 300, 600, 1200, 2400, 3700]) {
    const opts = ManagerOptions.parse({ order: ['5g', '4g', 'eth'] });
    const sel = createSelector([{ id: '5g', kind: 'nr5g' }, { id: '4g', kind: 'lte' }, { id: 'eth', kind: 'wired' }], opts, 0);
    for (const id of ['5g', '4g', 'eth']) sel.transportState(id, { status: 'up', quality: 1, since: 0 }, 0);
    const times: number[] = [];
    for (let t = 250; t <= 6 * 3600_000 + 2000; t += 250) {
      const flapping5g = t > 2000 && ((t - 2000) / 1000) % periodS < 10;
      sel.probe('5g', flapping5g ? { ok: false, at: t, error: 'timeout' } : { ok: true, rttMs: 20, at: t });
      sel.probe('4g', { ok: true, rttMs: 25, at: t });
      sel.probe('eth', { ok: true, rttMs: 5, at: t });
      const ev = sel.evaluate(t);
      if (ev) { sel.commit(ev); if (ev.kind !== 'initial') times.push(t); }
    }
    rates.push(times.length / 6);
    for (const t0 of times) {
      const n = times.filter((t) => t >= t0 && t < t0 + 3600_000).length;
      maxInAnyHour = Math.max(maxInAnyHour, n);
      if (t0 >= times[0] + 3600_000) maxInLaterHour = Math.max(maxInLaterHour, n);
    }
  }
  emit({
    scenario: 'flapping', simulated: true, runs: rates.length, hours_per_run: 6, detect_ms_p50: null, detect_ms_p95: null, failover_ms_p50: null, failover_ms_p95: null,
    events: null, lost: null, wire_dups: null, effective_dups: null,
    switches_per_hour: Math.max(...rates), switches_per_hour_by_period: rates, max_switches_in_any_hour: maxInAnyHour, max_switches_in_any_later_hour: maxInLaterHour,
    mwan3_default_detect_ms: mwan3DetectMs, networkmanager_check_interval_ms: NM_INTERVAL_MS,
  });
}

async function allDown(h: FailoverHarness, outageMs: number): Promise<void> {
  const before = await h.settle();
  h.startPublishing(20);
  const back: number[] = []; const errors: string[] = [];
  for (let i = 0; i < Math.min(RUNS, 3); i++) {
    for (const l of ['5g', '4g', 'eth'] as const) h.ns.linkDown(l);
    await new Promise((r) => setTimeout(r, outageMs));
    const from = h.lines.length;
    const t0 = Date.now();
    for (const l of ['eth', '4g', '5g'] as const) h.ns.restore(l);
    try {
      const ack = await h.waitFor((l) => l.t === 'ack' && l.at >= t0, 20_000, 'first PUBACK after all links came back', from);
      back.push(ack.at - t0);
      await h.waitFor((l) => l.t === 'switch' && l.to === '5g', 30_000, 'back on 5G', from);
    } catch (err) { errors.push((err as Error).message.slice(0, 200)); }
  }
  const after = await h.settle(60_000);
  emit({
    scenario: 'all-down', runs: back.length, outage_ms: outageMs, detect_ms_p50: null, detect_ms_p95: null,
    failover_ms_p50: pct(back, 50), failover_ms_p95: pct(back, 95), failover_measures: 'links back → first PUBACK',
    events: after.published - before.published, lost: after.lost, wire_dups: after.wireDups - before.wireDups, effective_dups: 0,
    switches_per_hour: null, mwan3_default_detect_ms: mwan3DetectMs, networkmanager_check_interval_ms: NM_INTERVAL_MS,
    ...(errors.length ? { errors } : {}),
  });
}

/** Every IP link cut at once: the stream moves to Bluetooth (fake BlueZ + `kefu relay ble` in the master namespace). */
async function bleScenario(h: FailoverHarness): Promise<void> {
  const before = await h.settle();
  h.startPublishing(50);
  const detect: number[] = []; const failover: number[] = []; const errors: string[] = [];
  for (let i = 0; i < RUNS; i++) {
    try {
      const r = await h.cutMany('hard', ['5g', '4g', 'eth'], 'ble');
      detect.push(r.detectMs); failover.push(r.failoverMs);
      await new Promise((res) => setTimeout(res, 1000));
      const from = h.lines.length;
      for (const l of ['eth', '4g', '5g'] as const) h.ns.restore(l);
      await h.waitFor((l) => l.t === 'switch' && l.to === '5g', 30_000, 'back on 5G', from);
      await new Promise((res) => setTimeout(res, 500));
    } catch (err) { errors.push((err as Error).message.slice(0, 200)); }
  }
  const after = await h.settle(60_000);
  emit({
    scenario: 'all-ip-down-to-ble', runs: detect.length, detect_ms_p50: pct(detect, 50), detect_ms_p95: pct(detect, 95),
    failover_ms_p50: pct(failover, 50), failover_ms_p95: pct(failover, 95), failover_measures: 'cut → first PUBACK over the BLE tunnel',
    events: after.published - before.published, lost: after.lost, wire_dups: after.wireDups - before.wireDups, effective_dups: 0,
    switches_per_hour: null, mwan3_default_detect_ms: mwan3DetectMs, networkmanager_check_interval_ms: NM_INTERVAL_MS,
    ...(errors.length ? { errors } : {}),
  });
}

/** kill -9 of the box right after a 5G cut, restarted on the same outbox (the daemon's outbox + uplink). */
async function kill9Scenario(): Promise<void> {
  const k = await createFailoverHarness({ outbox: true, tag: 'bench-k9', options: { holdDownMs: HOLD_DOWN_MS, flapWindowMs: 1000, maxSwitchesPerHour: 100_000 } });
  const back: number[] = []; const errors: string[] = [];
  try {
    await k.ready('5g', 30_000);
    k.startPublishing(20);
    for (let i = 0; i < RUNS; i++) {
      try {
        await new Promise((r) => setTimeout(r, 1000));
        const from = k.lines.length;
        const t0 = Date.now();
        k.ns.linkDown('5g');
        await new Promise((r) => setTimeout(r, 100));
        await k.kill9AndRestart(20);
        const ack = await k.waitFor((l) => l.t === 'ack' && l.link === '4g', 30_000, 'acks over 4G after the restart', from);
        back.push(ack.at - t0);
        const f2 = k.lines.length;
        k.ns.restore('5g');
        await k.waitFor((l) => l.t === 'switch' && l.to === '5g', 30_000, 'back on 5G', f2);
      } catch (err) { errors.push((err as Error).message.slice(0, 200)); }
    }
    const s = await k.settle(60_000);
    emit({
      scenario: 'kill9', runs: back.length, detect_ms_p50: null, detect_ms_p95: null,
      failover_ms_p50: pct(back, 50), failover_ms_p95: pct(back, 95), failover_measures: 'cut + kill -9 → first PUBACK over 4G from the restarted box (includes process start)',
      events: s.published, lost: s.lost, wire_dups: s.wireDups, effective_dups: s.effectiveDups,
      switches_per_hour: null, mwan3_default_detect_ms: mwan3DetectMs, networkmanager_check_interval_ms: NM_INTERVAL_MS,
      ...(errors.length ? { errors } : {}),
    });
  } finally {
    await k.close();
  }
}

/** 5G as the real cellular transport on the modem simulator: loss of registration and a vanished port. */
async function modemScenarios(): Promise<void> {
  const m = await createFailoverHarness({ cellular5g: true, tag: 'bench-modem', options: { holdDownMs: HOLD_DOWN_MS, flapWindowMs: 1000, maxSwitchesPerHour: 100_000 } });
  try {
    await m.ready('5g', 30_000);
    // the restores' fail-back times are not reported here (the `failback` scenario covers fail-back)
    if (wanted('modem-dereg')) await cutScenario(m, 'modem-dereg', 'modem-dereg', { detect: [], failover: [] });
    if (wanted('modem-vanish')) await cutScenario(m, 'modem-vanish', 'modem-vanish', { detect: [], failover: [] });
  } finally {
    await m.close();
  }
}

/** The flapping schedule of failover-flap.ts on real namespaces, one simulated hour = FLAP_SIM_HOUR_MS; then the
 *  same schedule against the peer, the same manager with its anti-flap off (fixed hold-down, no budget). */
async function flappingNs(): Promise<void> {
  const run = async (options: ManagerOptionsInput, tag: string) => {
    const f = await createFailoverHarness({ outbox: true, tag, options });
    try {
      await f.ready('5g', 30_000);
      return await runFlapping(f, { simHourMs: FLAP_SIM_HOUR_MS, hours: FLAP_HOURS, seed: Number(process.env.KEFU_FLAP_SEED ?? 7) });
    } finally {
      await f.close();
    }
  };
  const r = await run(compressedOptions(FLAP_SIM_HOUR_MS), 'bench-flap');
  const peer = await run(naiveOptions(FLAP_SIM_HOUR_MS), 'bench-flap-peer');
  emit({
    scenario: 'flapping-ns', runs: 1, detect_ms_p50: null, detect_ms_p95: null, failover_ms_p50: null, failover_ms_p95: null,
    switches_per_hour: r.switches_per_hour_mean, ...r, time_compression: 3600_000 / FLAP_SIM_HOUR_MS,
    peer_fixed_hold_down: { switches_per_hour_mean: peer.switches_per_hour_mean, switches_by_hour: peer.switches_by_hour, max_switches_in_any_hour: peer.max_switches_in_any_hour, lost: peer.lost, effective_dups: peer.effective_dups },
    ratio_peer_to_kefu: r.switches ? Math.round((peer.switches / r.switches) * 10) / 10 : null,
    mwan3_default_detect_ms: mwan3DetectMs, networkmanager_check_interval_ms: NM_INTERVAL_MS,
  });
}

/** Every link down for minutes, the outbox persisting all along; CPU, memory, drain. */
async function allDownLong(): Promise<void> {
  const a = await createFailoverHarness({ outbox: true, tag: 'bench-down', options: { holdDownMs: HOLD_DOWN_MS, flapWindowMs: 1000, maxSwitchesPerHour: 100_000 } });
  try {
    await a.ready('5g', 30_000);
    // the same box, the same run: a 10 s outage first (the peer for the first-PUBACK time), then the long one
    const short = await runAllDown(a, { outageMs: 10_000 });
    const r = await runAllDown(a, { outageMs: ALL_DOWN_LONG_MS });
    emit({
      scenario: 'all-down-long', runs: 1, detect_ms_p50: null, detect_ms_p95: null, failover_ms_p50: r.first_ack_ms, failover_ms_p95: r.first_ack_ms,
      failover_measures: 'links back → first PUBACK', switches_per_hour: null, ...r, first_ack_ms_after_10s_outage: short.first_ack_ms, drain_ms_after_10s_outage: short.drain_ms,
      mwan3_default_detect_ms: mwan3DetectMs, networkmanager_check_interval_ms: NM_INTERVAL_MS,
    });
  } finally {
    await a.close();
  }
}

/** kill -9 of the real `kefu start` at varying points of a 5G failover; restart; fail back. */
async function kill9Daemon(): Promise<void> {
  const rig = await createDaemonFailoverRig({ tag: 'bench-k9d', failover: { holdDownMs: HOLD_DOWN_MS, flapWindowMs: 1000, maxSwitchesPerHour: 100_000 } });
  const back: number[] = []; const starts: number[] = []; const errors: string[] = []; const killAfter: number[] = [];
  try {
    await rig.start();
    await rig.onLink('5g');
    await rig.deliveryAbove(0);
    for (let i = 0; i < RUNS; i++) {
      try {
        await new Promise((r) => setTimeout(r, 1000));
        const t0 = Date.now();
        rig.ns.linkDown('5g');
        // spread the kill over the failover: before detection, around the switch, after the first PUBACKs
        await new Promise((r) => setTimeout(r, [0, 50, 100, 200, 400][i % 5]));
        killAfter.push(Date.now() - t0);
        await rig.kill9();
        const last = Math.max(0, ...rig.confirmed().map((c) => c.n));
        starts.push((await rig.start()).startMs);
        const d = await rig.deliveryAbove(last);
        back.push(d.at - t0);
        rig.ns.restore('5g');
        await rig.onLink('5g', 30_000);
      } catch (err) { errors.push((err as Error).message.slice(0, 200)); rig.ns.restore('5g'); }
    }
    const s = await rig.settle(60_000);
    emit({
      scenario: 'kill9-daemon', runs: back.length, detect_ms_p50: null, detect_ms_p95: null,
      failover_ms_p50: pct(back, 50), failover_ms_p95: pct(back, 95), failover_measures: 'cut + kill -9 of kefu start → first event of the restarted daemon at the master (includes the process start)',
      restart_ms_p50: pct(starts, 50), restart_ms_p95: pct(starts, 95), kill_ms_after_cut: killAfter,
      events: s.confirmed, lost: s.lost, wire_dups: s.wireDups, effective_dups: s.effectiveDups, switches_per_hour: null,
      mwan3_default_detect_ms: mwan3DetectMs, networkmanager_check_interval_ms: NM_INTERVAL_MS,
      ...(errors.length ? { errors } : {}),
    });
  } finally {
    await rig.close();
  }
}

if (wanted('flapping')) flapping();
if (wanted('flapping-ns')) await flappingNs();
if (wanted('all-down-long')) await allDownLong();
if (wanted('kill9-daemon')) await kill9Daemon();
if (wanted('kill9')) await kill9Scenario();
if (wanted('modem-dereg') || wanted('modem-vanish')) await modemScenarios();
const NAMESPACE_SCENARIOS = ['hard-cut-5g', 'carrier-loss-5g', 'silent-drop-5g', 'latency-5g', 'failback', 'loss30-5g', 'all-down', 'all-ip-down-to-ble'];
const h = NAMESPACE_SCENARIOS.some(wanted) ? await createFailoverHarness({ options: { holdDownMs: HOLD_DOWN_MS, flapWindowMs: 1000, maxSwitchesPerHour: 100_000 }, tag: 'bench', ble: true }) : null;
if (h) try {
  await h.ready('5g');
  const failback = { detect: [] as number[], failover: [] as number[] };
  if (wanted('hard-cut-5g')) await cutScenario(h, 'hard-cut-5g', 'hard', failback);
  if (wanted('carrier-loss-5g')) await cutScenario(h, 'carrier-loss-5g', 'carrier', failback);
  if (wanted('silent-drop-5g')) await cutScenario(h, 'silent-drop-5g', 'silent', failback);
  if (wanted('latency-5g')) await cutScenario(h, 'latency-5g', 'latency', failback);
  if (wanted('failback')) emit({
    scenario: 'failback', runs: failback.detect.length, hold_down_ms: HOLD_DOWN_MS,
    detect_ms_p50: pct(failback.detect, 50), detect_ms_p95: pct(failback.detect, 95), detect_measures: 'restore → switch back (includes hold-down)',
    failover_ms_p50: pct(failback.failover, 50), failover_ms_p95: pct(failback.failover, 95), failover_measures: 'restore → first PUBACK on 5G',
    events: null, lost: (await h.settle()).lost, wire_dups: null, effective_dups: 0, switches_per_hour: null,
    mwan3_default_detect_ms: MWAN3.up * MWAN3.intervalMs, mwan3_note: 'mwan3 brings a link back after up=5 good checks', networkmanager_check_interval_ms: NM_INTERVAL_MS,
  });
  if (wanted('loss30-5g')) await cutScenario(h, 'loss30-5g', 'loss30', { detect: [], failover: [] });
  if (wanted('all-down')) await allDown(h, 10_000);
  if (wanted('all-ip-down-to-ble')) await bleScenario(h);
} finally {
  await h.close();
}
