// MQTT allows one session per client id: a connect with an id already connected closes the older session. Once
// is normal (a box failed over to another link before its old connection timed out); again and again within a
// minute means two daemons run with one box's id and password and keep taking the session from each other,
// which the boxes themselves only see as a link that keeps dropping. The master says so, once a minute at most.
import type { Logger } from 'pino';
import { createBurstWatch, type BurstWatchOptions } from '../../daemon/burst-watch.js';

export function createTakeoverWatch(opts: BurstWatchOptions & { log: Logger }) {
  const bursts = createBurstWatch(opts);
  const addresses = new Map<string, Set<string>>();
  let total = 0;
  return {
    get total() { return total; },
    /** A connect of `clientId` from `by` closes its session from `from`. */
    takeover(clientId: string, from: string | undefined, by: string | undefined): void {
      total++;
      let seen = addresses.get(clientId);
      if (!seen) { if (addresses.size > 1024) addresses.clear(); addresses.set(clientId, (seen = new Set())); }
      for (const a of [from, by]) if (a && seen.size < 16) seen.add(a);
      const n = bursts.hit(clientId);
      if (n !== null) {
        opts.log.warn({ clientId, takeovers: n, addresses: [...seen] },
          'two clients keep taking one session from each other: is a second daemon running with this box id and password?');
      }
    },
  };
}
