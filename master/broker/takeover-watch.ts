// MQTT allows one session per client id: a connect with an id already connected closes the older session. Once
// is normal (a box failed over to another link before its old connection timed out); again and again within a
// minute means two daemons run with one box's id and password and keep taking the session from each other,
// which the boxes themselves only see as a link that keeps dropping. The master says so, once a minute at most.
import type { Logger } from 'pino';

export interface TakeoverWatchOptions {
  log: Logger;
  windowMs?: number;
  /** takeovers of one client id within the window that make it a fight */
  threshold?: number;
  now?: () => number;
}

export function createTakeoverWatch(opts: TakeoverWatchOptions) {
  const windowMs = opts.windowMs ?? 60_000;
  const threshold = opts.threshold ?? 3;
  const now = opts.now ?? Date.now;
  const recent = new Map<string, { at: number[]; addresses: Set<string>; warnedAt: number }>();
  let total = 0;

  return {
    get total() { return total; },
    /** A connect of `clientId` from `by` closes its session from `from`. */
    takeover(clientId: string, from: string | undefined, by: string | undefined): void {
      total++;
      const t = now();
      let r = recent.get(clientId);
      if (!r) recent.set(clientId, (r = { at: [], addresses: new Set(), warnedAt: -Infinity }));
      r.at = r.at.filter((x) => t - x < windowMs);
      r.at.push(t);
      for (const a of [from, by]) if (a) r.addresses.add(a);
      if (r.at.length >= threshold && t - r.warnedAt >= windowMs) {
        r.warnedAt = t;
        opts.log.warn({ clientId, takeovers: r.at.length, windowS: windowMs / 1000, addresses: [...r.addresses] },
          'two clients keep taking one session from each other: is a second daemon running with this box id and password?');
      }
      // bounded: forget ids that have been quiet for a window
      if (recent.size > 1024) for (const [id, x] of recent) if (t - (x.at.at(-1) ?? 0) >= windowMs) recent.delete(id);
    },
  };
}

export type TakeoverWatch = ReturnType<typeof createTakeoverWatch>;
