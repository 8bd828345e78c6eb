// Pure per-link health: a window of probe results plus the transport's own state, judged against the gates.
import type { TransportState } from '../transport.js';
import type { ManagerOptions } from './options.js';

export interface ProbeResult {
  ok: boolean;
  at: number;
  rttMs?: number;
  /** part of rttMs that may have been the box's own event loop being busy (its answer waited for the box) */
  localMs?: number;
  /** the link refused outright (unreachable, no route, D-Bus error): dead at once, no waiting for more probes */
  hard?: boolean;
  error?: string;
}

export interface LinkHealth {
  id: string;
  window: ProbeResult[];
  consecutiveFail: number;
  consecutiveOk: number;
  /** probes say the path to the broker works */
  probeAlive: boolean;
  transport: TransportState | null;
  alive: boolean;
  good: boolean;
  /** why the link is not good (null when it is) */
  reason: string | null;
  goodSince: number | null;
  /** times the link stopped being good, for the flap hold-down */
  failures: number[];
  lastFailureAt: number | null;
  lastProbeAt: number | null;
  /** what `kefu transports` shows: usable and good, usable but failing a gate, or not usable */
  state: 'up' | 'degraded' | 'down';
  /** when `state` last changed (the transport's own `since` does not move when only the path to the broker fails) */
  stateSince: number;
  /** the box's other links, judged alongside this one (a ping late on all of them at once is not this link's fault) */
  peers: LinkHealth[];
}

export function createLinkHealth(id: string, now = 0): LinkHealth {
  return { id, window: [], consecutiveFail: 0, consecutiveOk: 0, probeAlive: false, transport: null, alive: false, good: false, reason: 'not probed yet', goodSince: null, failures: [], lastFailureAt: null, lastProbeAt: null, state: 'down', stateSince: now, peers: [] };
}

/** The RTT the link is judged by: the measured one less what the box's own loop may have added. */
export function netRtt(p: ProbeResult): number | undefined {
  return p.rttMs === undefined ? undefined : Math.max(0, p.rttMs - (p.localMs ?? 0));
}

/**
 * Share of probes lost. TCP hides packet loss from an application probe by retransmitting, so a ping answered only
 * after a retransmission (RTT at least `lateMs` and 3× the window's best) counts as lost too. Both judge the RTT
 * less the box's own loop delay (`netRtt`): a box busy with a video call must not blame its links.
 */
export function lossOf(h: LinkHealth, lateMs = Infinity, excuseCommon = false): number {
  if (h.window.length === 0) return 0;
  const rtts = h.window.filter((p) => p.ok && p.rttMs !== undefined).map((p) => netRtt(p) as number);
  const late = rtts.length ? Math.max(lateMs, 3 * Math.min(...rtts)) : Infinity;
  const isLate = (p: ProbeResult) => p.rttMs !== undefined && (netRtt(p) as number) >= late && !(excuseCommon && lateEverywhere(h, p, lateMs));
  return h.window.filter((p) => !p.ok || isLate(p)).length / h.window.length;
}

/**
 * Every other alive link answered a ping in flight at the same time as `p`, and all of those were late too: the delay
 * is in what the links share (the broker, the box's CPU beyond its event loop), so switching would not help. A link
 * without such an answer, or with one on time, proves nothing shared: a fast standby keeps a slow link blamed.
 */
function lateEverywhere(h: LinkHealth, p: ProbeResult, lateMs: number): boolean {
  const from = p.at - (p.rttMs ?? 0);
  const others = h.peers.filter((o) => o.alive);
  return others.length > 0 && others.every((o) => {
    const overlapping = o.window.filter((q) => q.ok && q.rttMs !== undefined && q.at - q.rttMs < p.at && q.at > from);
    return overlapping.length > 0 && overlapping.every((q) => (netRtt(q) as number) >= lateMs);
  });
}

export function medianRtt(h: LinkHealth): number | null {
  const rtts = h.window.filter((p) => p.ok && p.rttMs !== undefined).map((p) => netRtt(p) as number).sort((a, b) => a - b);
  return rtts.length ? rtts[Math.floor(rtts.length / 2)] : null;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Best RSRP / SINR in a cellular detail record; EN-DC replies nest `lte` and `nr`. */
export function signalOf(detail: Record<string, unknown> | undefined): { rsrp: number | null; sinr: number | null } {
  if (!detail) return { rsrp: null, sinr: null };
  const parts = [detail, detail.nr, detail.lte, detail.signal].filter((p): p is Record<string, unknown> => !!p && typeof p === 'object');
  const pick = (key: string) => parts.map((p) => num(p[key])).filter((x): x is number => x !== null).sort((a, b) => b - a)[0] ?? null;
  return { rsrp: pick('rsrp_dbm'), sinr: pick('sinr_db') };
}

function judge(h: LinkHealth, o: ManagerOptions): { alive: boolean; reason: string | null } {
  const t = h.transport;
  if (t && (t.status === 'down' || t.status === 'connecting')) return { alive: false, reason: `link ${t.status}${t.reason ? `: ${t.reason}` : ''}` };
  if (!h.probeAlive) {
    const last = h.window[h.window.length - 1];
    return { alive: false, reason: last && !last.ok ? `probe failed: ${last.error ?? 'timeout'}` : 'not verified yet' };
  }
  if (t?.status === 'degraded') return { alive: true, reason: `link degraded${t.reason ? `: ${t.reason}` : ''}` };
  const loss = lossOf(h, o.gates.lateMs, o.gates.excuseCommonLate);
  if (h.window.length >= 8 && loss > o.gates.maxLoss) return { alive: true, reason: `probes lost or late ${Math.round(loss * 100)}% > ${Math.round(o.gates.maxLoss * 100)}%` };
  const rtt = medianRtt(h);
  if (rtt !== null && rtt > o.gates.maxRttMs) return { alive: true, reason: `probe rtt ${Math.round(rtt)} ms > ${o.gates.maxRttMs} ms` };
  const { rsrp, sinr } = signalOf(t?.detail);
  if (rsrp !== null && rsrp < o.gates.minRsrpDbm) return { alive: true, reason: `rsrp ${rsrp} dBm < ${o.gates.minRsrpDbm} dBm` };
  if (sinr !== null && sinr < o.gates.minSinrDb) return { alive: true, reason: `sinr ${sinr} dB < ${o.gates.minSinrDb} dB` };
  return { alive: true, reason: null };
}

/** Recomputes alive/good after any input; records a failure when a good link stops being good. */
export function refresh(h: LinkHealth, o: ManagerOptions, now: number): void {
  const { alive, reason } = judge(h, o);
  const good = alive && reason === null;
  if (h.good && !good) { h.failures.push(now); h.lastFailureAt = now; }
  if (!h.good && good) h.goodSince = now;
  if (!good) h.goodSince = null;
  h.alive = alive;
  h.good = good;
  h.reason = reason;
  const state = !alive ? 'down' : good ? 'up' : 'degraded';
  if (state !== h.state) { h.state = state; h.stateSince = now; }
  h.failures = h.failures.filter((t) => now - t < o.flapWindowMs);
}

export function recordProbe(h: LinkHealth, p: ProbeResult, o: ManagerOptions): void {
  h.window.push(p);
  if (h.window.length > o.probe.window) h.window.splice(0, h.window.length - o.probe.window);
  h.lastProbeAt = p.at;
  if (p.ok) {
    h.consecutiveOk += 1;
    h.consecutiveFail = 0;
    if (!h.probeAlive && h.consecutiveOk >= (h.failures.length || h.window.some((w) => !w.ok) ? o.probe.upAfter : 1)) h.probeAlive = true;
  } else {
    h.consecutiveOk = 0;
    h.consecutiveFail = p.hard ? Math.max(h.consecutiveFail + 1, o.probe.downAfter) : h.consecutiveFail + 1;
    if (h.consecutiveFail >= o.probe.downAfter) h.probeAlive = false;
  }
  refresh(h, o, p.at);
}

export function recordTransportState(h: LinkHealth, s: TransportState, o: ManagerOptions, now: number): void {
  h.transport = s;
  // a link that went down must prove itself again with fresh probes
  if (s.status === 'down' || s.status === 'connecting') { h.probeAlive = false; h.consecutiveOk = 0; }
  refresh(h, o, now);
}
