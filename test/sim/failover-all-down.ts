// Every link down for a long outage on real namespaces, with the box publishing through its durable outbox all
// along: the outbox keeps persisting, the box's CPU stays near idle (no reconnect spin), its memory stays flat,
// and after the links return the backlog drains in order with nothing lost. Shared by the e2e test and the bench.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { FailoverHarness } from './failover-harness.js';

const LINKS = ['5g', '4g', 'eth'] as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const ticksPerSecond = () => Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** user + system CPU seconds of a process, from /proc/<pid>/stat (fields 14 and 15) */
function cpuSeconds(pid: number, hz: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / hz;
}
function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

export interface AllDownResult {
  outage_ms: number;
  /** the box runner's CPU (% of one core) while connected and publishing (the peer) and while every link is down */
  cpu_connected_pct: number;
  cpu_connected_quiet_pct: number;
  cpu_outage_pct: number;
  /** the end of the outage with the publisher paused: reconnect and probe loops only (peer: connected, idle) */
  cpu_outage_quiet_pct: number;
  rss_mb_outage_start: number;
  rss_mb_outage_end: number;
  /** events the outbox persisted while no link was up (the publisher kept going) */
  enqueued_during_outage: number;
  delivered_during_outage: number;
  pending_at_restore: number;
  /** confirmed events not yet at the subscriber when the links came back */
  backlog: number;
  /** links back → first PUBACK; links back → every event confirmed before the restore is at the subscriber */
  first_ack_ms: number;
  drain_ms: number;
  drain_events_per_s: number;
  events: number;
  lost: number;
  wire_dups: number;
  effective_dups: number;
  /** first deliveries that arrived after a later-numbered event */
  out_of_order: number;
}

export async function runAllDown(h: FailoverHarness, o: { outageMs: number; publishMs?: number }): Promise<AllDownResult> {
  const pid = h.runnerPid();
  if (!pid) throw new Error('the box runner is not running');
  const hz = ticksPerSecond();
  const before = await h.settle();
  const arrivalsBefore = h.arrivals().length;
  // the peers: the same process with the links up, first idle, then at the same publish rate
  const peerMs = Math.min(6000, o.outageMs / 4);
  const cpuOver = async (ms: number) => { const c = cpuSeconds(pid, hz); const w = Date.now(); await sleep(ms); return (cpuSeconds(pid, hz) - c) / ((Date.now() - w) / 1000); };
  const cpuConnectedQuiet = await cpuOver(peerMs);
  h.startPublishing(o.publishMs ?? 20);
  await sleep(500);
  const cpuConnected = await cpuOver(peerMs);

  const from = h.lines.length;
  const tCut = Date.now();
  for (const l of LINKS) h.ns.linkDown(l);
  await h.waitFor((l) => l.t === 'switch' && l.kind === 'all-down', 10_000, 'the all-down switch', from);
  // the CPU window starts once the outage is known and lasts until the links return
  const rss0 = rssMb(pid);
  const c1 = cpuSeconds(pid, hz); const w1 = Date.now();
  const confirmedAtCut = h.confirmed().length;
  const receivedAtCut = h.received.size;
  // the last stretch of the outage without publishing: what the reconnect and probe loops alone cost
  const quietMs = Math.min(15_000, o.outageMs / 4);
  await sleep(Math.max(0, o.outageMs - quietMs - (Date.now() - tCut)));
  const cpuOutage = (cpuSeconds(pid, hz) - c1) / ((Date.now() - w1) / 1000);
  h.pausePublishing();
  await sleep(200);
  const c2 = cpuSeconds(pid, hz); const w2 = Date.now();
  await sleep(Math.max(0, o.outageMs - (Date.now() - tCut)));
  const cpuQuiet = (cpuSeconds(pid, hz) - c2) / ((Date.now() - w2) / 1000);
  h.startPublishing(o.publishMs ?? 20);
  const rss1 = rssMb(pid);
  const status = await h.status();
  const pending = Object.values((status.outbox as { pending?: Record<string, number> }).pending ?? {}).reduce((a, b) => a + b, 0);
  const owed = h.confirmed();
  const deliveredDuring = h.received.size - receivedAtCut;

  const backlog = owed.filter((n) => !h.received.has(n)).length;
  const back = h.lines.length;
  const tBack = Date.now();
  for (const l of [...LINKS].reverse()) h.ns.restore(l);
  const ack = await h.waitFor((l) => l.t === 'ack' && l.at >= tBack, 30_000, 'first PUBACK after the links came back', back);
  const deadline = Date.now() + 120_000;
  while (owed.some((n) => !h.received.has(n)) && Date.now() < deadline) await sleep(50);
  const drainMs = Date.now() - tBack;
  const s = await h.settle(60_000);

  let outOfOrder = 0;
  let max = -Infinity;
  for (const n of h.arrivals().slice(arrivalsBefore)) { if (n < max) outOfOrder++; else max = n; }
  return {
    outage_ms: tBack - tCut, cpu_connected_pct: Math.round(cpuConnected * 1000) / 10, cpu_connected_quiet_pct: Math.round(cpuConnectedQuiet * 1000) / 10, cpu_outage_pct: Math.round(cpuOutage * 1000) / 10, cpu_outage_quiet_pct: Math.round(cpuQuiet * 1000) / 10,
    rss_mb_outage_start: rss0, rss_mb_outage_end: rss1,
    enqueued_during_outage: owed.length - confirmedAtCut, delivered_during_outage: deliveredDuring, pending_at_restore: pending, backlog,
    first_ack_ms: ack.at - tBack, drain_ms: drainMs, drain_events_per_s: Math.round(backlog / (drainMs / 1000)),
    events: s.published - before.published, lost: s.lost, wire_dups: s.wireDups - before.wireDups, effective_dups: s.effectiveDups - before.effectiveDups,
    out_of_order: outOfOrder,
  };
}
