// "The same thing again and again within a minute", told once a minute at most: a thing that happens now and
// then is normal (a link drop, a failover), a burst of it is a fault worth a warning.
export interface BurstWatchOptions {
  windowMs?: number;
  /** hits of one key within the window that make a burst */
  threshold?: number;
  now?: () => number;
}

export function createBurstWatch(opts: BurstWatchOptions = {}) {
  const windowMs = opts.windowMs ?? 60_000;
  const threshold = opts.threshold ?? 3;
  const now = opts.now ?? Date.now;
  const recent = new Map<string, { at: number[]; toldAt: number }>();
  return {
    /** Records a hit; returns the hits in the window when this one makes a burst not told within the window. */
    hit(key = ''): number | null {
      const t = now();
      let r = recent.get(key);
      if (!r) recent.set(key, (r = { at: [], toldAt: -Infinity }));
      r.at = r.at.filter((x) => t - x < windowMs);
      r.at.push(t);
      // bounded: forget keys quiet for a window
      if (recent.size > 1024) for (const [k, x] of recent) if (t - (x.at.at(-1) ?? 0) >= windowMs) recent.delete(k);
      if (r.at.length < threshold || t - r.toldAt < windowMs) return null;
      r.toldAt = t;
      return r.at.length;
    },
  };
}
