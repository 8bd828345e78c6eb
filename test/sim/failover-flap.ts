// Flapping on real namespaces with time compressed: the manager's hour-scale knobs (hold-down, its cap, the
// flap window, the switch-budget window) are scaled so one simulated hour lasts `simHourMs` of real time; the
// probes are not scaled (they run on the real network), which only makes the manager slower to trust a link.
// The 5G veth then goes up and down on a seeded schedule mostly faster than the hold-down, with nftables loss
// bursts (tc netem is not in this kernel) and "lures": stretches up long enough to pass the gates and the
// hold-down, ended by a new drop — the pattern that makes a naive fail-back oscillate.
import type { ManagerOptionsInput } from '../../transports/manager/index.js';
import type { FailoverHarness } from './failover-harness.js';

const HOUR = 3600_000;

/** The manager's defaults (hold-down 60 s, cap 1 h, flap window 6 h, budget 2 per hour) on a compressed clock. */
export function compressedOptions(simHourMs: number): ManagerOptionsInput {
  const k = simHourMs / HOUR;
  // the probes' reconnect backoff (1 s → 60 s) is compressed too, or one backoff would span simulated hours
  return { holdDownMs: Math.round(60_000 * k), maxHoldDownMs: simHourMs, flapWindowMs: 6 * simHourMs, budgetWindowMs: simHourMs, maxSwitchesPerHour: 2,
    probe: { standbyIntervalMs: 250, retryBaseMs: 250, retryMaxMs: Math.max(500, Math.round(60_000 * k)) } };
}

export type FlapPhase = { kind: 'down' | 'up' | 'lure'; ms: number } | { kind: 'loss'; ms: number; percent: number };

/** mulberry32: a seeded schedule, so a failing run can be replayed */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Phases filling `totalMs`. Downs last 0.4–1.5 s (long enough for the probes to see them), short ups less than
 * the hold-down (but never under 250 ms, one probe), loss bursts 1–3 s at 20–70 %, lures 2–4× the base hold-down
 * plus the 5 s the probe window needs to forget a failure, and now and then a calm longer than the hold-down cap.
 */
export function flapSchedule(seed: number, totalMs: number, holdDownMs: number, maxHoldDownMs: number): FlapPhase[] {
  const r = rng(seed);
  const between = (lo: number, hi: number) => Math.round(lo + r() * (hi - lo));
  const out: FlapPhase[] = [];
  let t = 0;
  let last: FlapPhase['kind'] = 'up';
  while (t < totalMs) {
    const x = r();
    let p: FlapPhase;
    if (last !== 'down' && x < 0.4) p = { kind: 'down', ms: between(400, 1500) };
    else if (x < 0.7) p = { kind: 'up', ms: between(250, Math.max(300, holdDownMs * 0.9)) };
    else if (x < 0.85) p = { kind: 'loss', ms: between(1000, 3000), percent: between(20, 70) };
    else if (x < 0.96) p = { kind: 'lure', ms: between(5000 + 2 * holdDownMs, 5000 + 4 * holdDownMs) };
    // a long calm, past even the longest (exponential) hold-down: the manager may fail back, and the budget
    // must hold when the link drops again right after
    else p = { kind: 'lure', ms: between(5000 + 1.2 * maxHoldDownMs, 5000 + 1.5 * maxHoldDownMs) };
    p.ms = Math.min(p.ms, totalMs - t);
    if (p.ms <= 0) break;
    out.push(p);
    t += p.ms;
    last = p.kind;
  }
  return out;
}

export interface FlapResult {
  sim_hour_ms: number;
  sim_hours: number;
  real_ms: number;
  phases: number;
  lures: number;
  switches: number;
  switches_by_hour: number[];
  switches_per_hour_mean: number;
  max_switches_in_any_hour: number;
  /** the same, leaving out the hour that starts at the first failure (failover + first fail-back + next failure) */
  max_switches_in_any_later_hour: number;
  switch_kinds: Record<string, number>;
  events: number;
  lost: number;
  wire_dups: number;
  effective_dups: number;
}

/** The peer: the same manager with its anti-flap off (a fixed 60 s hold-down, no budget), as mwan3-style tracking does. */
export function naiveOptions(simHourMs: number): ManagerOptionsInput {
  const c = compressedOptions(simHourMs);
  return { ...c, maxHoldDownMs: c.holdDownMs as number, flapWindowMs: 1, maxSwitchesPerHour: 1_000_000 };
}

/** Runs the schedule on 5G of a harness started with `compressedOptions` (or the peer's) and `outbox: true`. */
export async function runFlapping(h: FailoverHarness, o: { simHourMs: number; hours: number; seed: number }): Promise<FlapResult> {
  const opts = compressedOptions(o.simHourMs);
  const totalMs = o.simHourMs * o.hours;
  const phases = flapSchedule(o.seed, totalMs, opts.holdDownMs as number, opts.maxHoldDownMs as number);
  const before = await h.settle();
  h.startPublishing(20);
  const from = h.lines.length;
  const t0 = Date.now();
  let down = false;
  for (const p of phases) {
    if (p.kind === 'down') { if (!down) h.ns.linkDown('5g'); down = true; h.ns.clearNft(); }
    else {
      if (down) h.ns.restore('5g');
      down = false;
      h.ns.clearNft();
      if (p.kind === 'loss') h.ns.randomLoss('5g', p.percent);
    }
    await new Promise((r) => setTimeout(r, p.ms));
  }
  const realMs = Date.now() - t0;
  if (down) h.ns.restore('5g');
  h.ns.clearNft();
  const s = await h.settle(60_000);

  const times = h.lines.slice(from).filter((l) => l.t === 'switch' && l.kind !== 'initial').map((l) => ({ at: l.switchAt as number, kind: String(l.kind) }));
  const hours = Math.ceil(realMs / o.simHourMs);
  const byHour = Array.from({ length: hours }, (_, i) => times.filter((x) => x.at - t0 >= i * o.simHourMs && x.at - t0 < (i + 1) * o.simHourMs).length);
  const inHourFrom = (t: number) => times.filter((x) => x.at >= t && x.at < t + o.simHourMs).length;
  const firstFailure = times[0]?.at ?? Infinity;
  const kinds: Record<string, number> = {};
  for (const x of times) kinds[x.kind] = (kinds[x.kind] ?? 0) + 1;
  const lures = phases.filter((p, i) => p.kind === 'lure' && i < phases.length - 1).length;
  return {
    sim_hour_ms: o.simHourMs, sim_hours: o.hours, real_ms: realMs, phases: phases.length, lures,
    switches: times.length, switches_by_hour: byHour,
    switches_per_hour_mean: Math.round((times.length / (realMs / o.simHourMs)) * 100) / 100,
    max_switches_in_any_hour: Math.max(0, ...times.map((x) => inHourFrom(x.at))),
    max_switches_in_any_later_hour: Math.max(0, ...times.filter((x) => x.at >= firstFailure + o.simHourMs).map((x) => inHourFrom(x.at))),
    switch_kinds: kinds,
    events: s.published - before.published, lost: s.lost, wire_dups: s.wireDups - before.wireDups, effective_dups: s.effectiveDups - before.effectiveDups,
  };
}
