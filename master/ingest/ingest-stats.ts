// Counters of ingestion, and events per second over the last few minutes for the dashboard chart.
export interface IngestStatsSnapshot {
  received: number;
  events: number;
  duplicates: number;
  telemetry: number;
  states: number;
  results: number;
  resultsUnmatched: number;
  /** level batches that stored events (events / commits: how well group commit is batching) */
  commits: number;
  rejected: Record<string, number>;
  rejectedTotal: number;
  /** events stored per second over the last `windowS` seconds: counts[i] belongs to second `from + i` */
  eventsPerSecond: { from: number; counts: number[] };
}

export function createIngestStats(opts: { windowS?: number } = {}) {
  const windowS = opts.windowS ?? 120;
  const c = { received: 0, events: 0, duplicates: 0, telemetry: 0, states: 0, results: 0, resultsUnmatched: 0, commits: 0 };
  const rejected: Record<string, number> = {};
  const perSecond = new Map<number, number>();

  return {
    counters: c,
    reject(code: string) { rejected[code] = (rejected[code] ?? 0) + 1; },
    event(now = Date.now()) {
      c.events++;
      const s = Math.floor(now / 1000);
      perSecond.set(s, (perSecond.get(s) ?? 0) + 1);
      if (perSecond.size > windowS + 5) for (const k of perSecond.keys()) if (k <= s - windowS) perSecond.delete(k);
    },
    snapshot(now = Date.now()): IngestStatsSnapshot {
      const end = Math.floor(now / 1000);
      const from = end - windowS + 1;
      const counts: number[] = [];
      for (let s = from; s <= end; s++) counts.push(perSecond.get(s) ?? 0);
      return { ...c, rejected: { ...rejected }, rejectedTotal: Object.values(rejected).reduce((a, b) => a + b, 0), eventsPerSecond: { from, counts } };
    },
  };
}
export type IngestStats = ReturnType<typeof createIngestStats>;
