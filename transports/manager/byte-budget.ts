// Byte counters per link (read from the streams' own counters) and the metered links' budgets.
import type { Duplex } from 'node:stream';
import type { ManagerOptions } from './options.js';

interface Counted { bytesRead?: number; bytesWritten?: number }

export function createByteBudgets(opts: ManagerOptions, now: () => number) {
  const totals = new Map<string, { tx: number; rx: number; periodStart: number; periodBytes: number }>();
  const live = new Map<string, Set<Duplex>>();

  const entry = (id: string) => {
    let e = totals.get(id);
    if (!e) { e = { tx: 0, rx: 0, periodStart: now(), periodBytes: 0 }; totals.set(id, e); }
    const period = (opts.links[id]?.budgetPeriodMs) ?? 30 * 24 * 3600_000;
    if (now() - e.periodStart >= period) { e.periodStart = now(); e.periodBytes = 0; }
    return e;
  };
  const liveBytes = (id: string) => {
    let tx = 0; let rx = 0;
    for (const s of live.get(id) ?? []) { tx += (s as Counted).bytesWritten ?? 0; rx += (s as Counted).bytesRead ?? 0; }
    return { tx, rx };
  };

  return {
    track(id: string, stream: Duplex): void {
      const set = live.get(id) ?? new Set();
      live.set(id, set);
      set.add(stream);
      stream.once('close', () => {
        set.delete(stream);
        const e = entry(id);
        const tx = (stream as Counted).bytesWritten ?? 0; const rx = (stream as Counted).bytesRead ?? 0;
        e.tx += tx; e.rx += rx; e.periodBytes += tx + rx;
      });
    },
    used(id: string): number { const l = liveBytes(id); return entry(id).periodBytes + l.tx + l.rx; },
    status(id: string) {
      const l = liveBytes(id); const e = entry(id);
      const budget = opts.links[id]?.budgetBytes ?? null;
      return { bytesOut: e.tx + l.tx, bytesIn: e.rx + l.rx, budgetBytes: budget, budgetUsed: e.periodBytes + l.tx + l.rx };
    },
  };
}
