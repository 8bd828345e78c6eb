// Events from boxes in level: one key per event ordered by box, ts and seq, and a dedupe index on the
// envelope id whose entries expire after `dedupeTtlMs` (a box replays its outbox after reconnecting, so an
// id can come back minutes or hours later, but not forever).
import type { RootStore, Store } from '../../daemon/store.js';
import { sublevel } from '../../daemon/store.js';
import type { EventEnvelope } from '../../protocol/schemas.js';

export interface StoredEvent {
  id: string; box: string; region: string; plugin: string; type: string;
  seq: number; ts: number; class?: string; data: unknown; receivedAt: number;
}

export interface EventStore {
  /** Stores an event unless its id was seen within the dedupe window. */
  put(ref: { region: string; box: string; plugin: string; type: string }, env: EventEnvelope, now?: number): Promise<'stored' | 'duplicate'>;
  /** Newest first. */
  list(box: string, opts?: { limit?: number }): Promise<StoredEvent[]>;
  /** Drops dedupe entries older than the window; returns how many. */
  pruneDedupe(now?: number): Promise<number>;
  /** Drops the events of these boxes whose ts is older than `cutoffTs`. */
  pruneEvents(boxes: string[], cutoffTs: number): Promise<void>;
}

const pad = (n: number, width: number) => String(Math.max(0, Math.trunc(n))).padStart(width, '0');

export function createEventStore(root: RootStore, opts: { dedupeTtlMs: number }): EventStore {
  const events: Store = sublevel(root, 'events');
  const dedupe: Store = sublevel(root, 'dedupe');
  const dedupeByTime: Store = sublevel(root, 'dedupe-by-time');
  // ids being written right now: two copies of one event can arrive back to back
  const inFlight = new Set<string>();

  return {
    async put(ref, env, now = Date.now()) {
      const dkey = `${ref.box}!${env.id}`;
      if (inFlight.has(dkey)) return 'duplicate';
      inFlight.add(dkey);
      try {
        if ((await dedupe.get(dkey)) !== undefined) return 'duplicate';
        const stored: StoredEvent = {
          id: env.id, box: ref.box, region: ref.region, plugin: ref.plugin, type: ref.type,
          seq: env.seq, ts: env.ts, ...(env.class ? { class: env.class } : {}), data: env.data, receivedAt: now,
        };
        await root.batch([
          { type: 'put', sublevel: events, key: `${ref.box}!${pad(env.ts, 15)}!${pad(env.seq, 15)}!${env.id}`, value: stored },
          { type: 'put', sublevel: dedupe, key: dkey, value: now },
          { type: 'put', sublevel: dedupeByTime, key: `${pad(now, 15)}!${dkey}`, value: dkey },
        ] as never);
        return 'stored';
      } finally {
        inFlight.delete(dkey);
      }
    },
    async list(box, { limit = 50 } = {}) {
      const out: StoredEvent[] = [];
      for await (const value of events.values({ gt: `${box}!`, lt: `${box}!\xff`, reverse: true, limit: Math.min(Math.max(limit, 1), 1000) })) {
        out.push(value as StoredEvent);
      }
      return out;
    },
    async pruneEvents(boxes, cutoffTs) {
      for (const box of boxes) await events.clear({ gt: `${box}!`, lt: `${box}!${pad(cutoffTs, 15)}` });
    },
    async pruneDedupe(now = Date.now()) {
      const cutoff = `${pad(now - opts.dedupeTtlMs, 15)}!`;
      const ops: Array<{ type: 'del'; sublevel: Store; key: string }> = [];
      let pruned = 0;
      for await (const [key, dkey] of dedupeByTime.iterator({ lt: cutoff })) {
        ops.push({ type: 'del', sublevel: dedupeByTime, key }, { type: 'del', sublevel: dedupe, key: dkey as string });
        pruned++;
        if (ops.length >= 1000) await root.batch(ops.splice(0) as never);
      }
      if (ops.length) await root.batch(ops as never);
      return pruned;
    },
  };
}
