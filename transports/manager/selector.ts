// The pure decision core of the TransportManager: which link carries the uplink, and when to switch.
// No I/O and no timers: the caller feeds probe results, transport states and the clock, and asks `evaluate`.
import type { TransportKind, TransportState } from '../transport.js';
import { createLinkHealth, lossOf, medianRtt, recordProbe, recordTransportState, refresh, type LinkHealth, type ProbeResult } from './link-health.js';
import { DEFAULT_ORDER, type ManagerOptions } from './options.js';

export type SwitchKind = 'initial' | 'failover' | 'quality' | 'failback' | 'forced' | 'force-ended' | 'all-down';

export interface SwitchEvent {
  at: number;
  from: string | null;
  to: string | null;
  kind: SwitchKind;
  reason: string;
}

export interface LinkRef { id: string; kind: TransportKind }

export interface LinkStatus {
  id: string;
  kind: TransportKind;
  rank: number;
  active: boolean;
  alive: boolean;
  good: boolean;
  reason: string | null;
  lossPct: number;
  rttMs: number | null;
  goodSince: number | null;
  /** up / degraded / down as judged from probes and the transport, and when that began */
  state: LinkHealth['state'];
  stateSince: number;
  holdDownMs: number;
  recentFailures: number;
}

const HOUR = 3600_000;
const secs = (ms: number) => (ms < 10_000 ? (ms / 1000).toFixed(1) : String(Math.round(ms / 1000)));

export function createSelector(links: LinkRef[], opts: ManagerOptions, startedAt: number) {
  const health = new Map(links.map((l) => [l.id, createLinkHealth(l.id, startedAt)]));
  for (const h of health.values()) h.peers = [...health.values()].filter((o) => o !== h);
  let order = [...(opts.order ?? DEFAULT_ORDER)];
  let active: string | null = null;
  let forced: { id: string; until: number } | null = null;
  let forceEnded = false;
  const switches: SwitchEvent[] = [];
  const graceMs = opts.probe.intervalMs * 4 + opts.probe.timeoutMs;

  const get = (id: string): LinkHealth => {
    const h = health.get(id);
    if (!h) throw new Error(`unknown link ${id}`);
    return h;
  };
  const rank = (l: LinkRef): number => {
    const byId = order.indexOf(l.id);
    if (byId >= 0) return byId;
    const byKind = order.indexOf(l.kind);
    return byKind >= 0 ? byKind : order.length + links.indexOf(l);
  };
  const ranked = (): LinkRef[] => [...links].sort((a, b) => rank(a) - rank(b));
  const linkOf = (id: string): LinkRef => links.find((l) => l.id === id) as LinkRef;

  function holdDownFor(id: string, now: number): number {
    const h = get(id);
    const n = h.failures.length;
    // a link that comes up late at start is not failing back: no hold-down for it
    if (n === 0) return h.lastFailureAt === null && now - startedAt < graceMs ? 0 : opts.holdDownMs;
    return Math.min(opts.maxHoldDownMs, opts.holdDownMs * 2 ** (n - 1));
  }

  /** switches that cost the session something and count against the hourly budget */
  const budgetUsed = (now: number) => switches.filter((s) => now - s.at < opts.budgetWindowMs && (s.kind === 'failover' || s.kind === 'quality' || s.kind === 'failback')).length;

  function propose(now: number): SwitchEvent | null {
    for (const h of health.values()) refresh(h, opts, now);
    const mk = (to: string | null, kind: SwitchKind, reason: string): SwitchEvent | null => (to === active ? null : { at: now, from: active, to, kind, reason });

    if (forced && now >= forced.until) { forced = null; forceEnded = true; }
    if (forced) {
      const h = get(forced.id);
      if (h.alive) return mk(forced.id, 'forced', `forced by operator until ${new Date(forced.until).toISOString()}`);
      forced = null;
      forceEnded = true;
    }

    const order = ranked();
    const bestGood = order.find((l) => get(l.id).good) ?? null;
    const bestAlive = order.find((l) => get(l.id).alive) ?? null;
    const cur = active ? get(active) : null;

    if (!cur || !cur.alive) {
      const target = bestGood ?? bestAlive;
      if (!cur) {
        if (!target) return null;
        // at start, wait briefly for a better-ranked link that has not answered yet
        const unknownBetter = order.slice(0, order.indexOf(target)).some((l) => get(l.id).lastProbeAt === null && get(l.id).transport?.status !== 'down');
        if (unknownBetter && now - startedAt < graceMs) return null;
        if (forceEnded) return mk(target.id, 'force-ended', 'forced switch ended');
        // after an all-down, the first link back is a failover, not a start
        return switches.length ? mk(target.id, 'failover', `${target.id} is back after all links were down`) : mk(target.id, 'initial', `${target.id} verified`);
      }
      if (!target) return mk(null, 'all-down', `${active}: ${cur.reason}; no other link alive`);
      return mk(target.id, 'failover', `${active}: ${cur.reason}`);
    }
    if (!cur.good) {
      if (bestGood) return mk(bestGood.id, 'quality', `${active}: ${cur.reason}`);
      return null;
    }
    if (forceEnded && bestGood && bestGood.id !== active) {
      return mk(bestGood.id, 'force-ended', 'forced switch ended');
    }
    if (bestGood && rank(bestGood) < rank(linkOf(active as string))) {
      const h = get(bestGood.id);
      const hold = holdDownFor(bestGood.id, now);
      const heldFor = h.goodSince === null ? 0 : now - h.goodSince;
      // a link that failed more than once in the flap window may well drop again right after a fail-back, and
      // that failover cannot be refused: fail back to it only with room in the budget for both switches
      const needed = h.failures.length >= 2 ? 2 : 1;
      if (heldFor >= hold && budgetUsed(now) + needed <= opts.maxSwitchesPerHour) {
        return mk(bestGood.id, 'failback', `${bestGood.id} passed its gates for ${secs(heldFor)} s (hold-down ${secs(hold)} s)`);
      }
    }
    return null;
  }

  return {
    probe(id: string, p: ProbeResult): void { recordProbe(get(id), p, opts); },
    transportState(id: string, s: TransportState, now: number): void { recordTransportState(get(id), s, opts, now); },
    /** What should happen now; nothing changes until `commit`. */
    evaluate(now: number): SwitchEvent | null { return propose(now); },
    /** Applies a proposal once the new link's stream is open (make-before-break). */
    commit(ev: SwitchEvent): void {
      active = ev.to;
      forceEnded = false;
      switches.push(ev);
      while (switches.length > 0 && ev.at - switches[0].at > Math.max(HOUR, opts.budgetWindowMs)) switches.shift();
    },
    /** The proposed link could not open a stream: treat as a hard probe failure. */
    reject(id: string, now: number, error: string): void { recordProbe(get(id), { ok: false, hard: true, at: now, error }, opts); },
    force(id: string, until: number): void { get(id); forced = { id, until }; },
    clearForce(): void { if (forced) { forced = null; forceEnded = true; } },
    setOrder(next: string[]): void { order = [...next]; },
    order: () => [...order],
    active: () => active,
    forced: () => forced,
    switches: () => [...switches],
    /** switches inside the budget window (the last hour unless time is compressed) */
    switchesInLastHour: (now: number) => switches.filter((s) => now - s.at < opts.budgetWindowMs).length,
    status(now: number): LinkStatus[] {
      return ranked().map((l) => {
        const h = get(l.id);
        return {
          id: l.id, kind: l.kind, rank: rank(l), active: l.id === active, alive: h.alive, good: h.good, reason: h.reason,
          lossPct: Math.round(lossOf(h, opts.gates.lateMs, opts.gates.excuseCommonLate) * 100), rttMs: medianRtt(h), goodSince: h.goodSince, state: h.state, stateSince: h.stateSince, holdDownMs: holdDownFor(l.id, now), recentFailures: h.failures.length,
        };
      });
    },
  };
}

export type Selector = ReturnType<typeof createSelector>;
