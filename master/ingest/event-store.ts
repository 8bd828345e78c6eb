// Events from boxes in level: one key per event ordered by box, ts and seq, and a dedupe index on the
// envelope id whose entries expire after `dedupeTtlMs` (a box replays its outbox after reconnecting, so an
// id can come back minutes or hours later, but not forever).
// Writes are group commits: putMany stores a whole batch with one dedupe lookup (`getMany`) and one level
// batch. Batches run one after another, so a copy of an event in the next batch always sees the previous
// batch's outcome. Most events need no lookup at all: the recent-id cache knows the copies of the last few
// minutes, and an event whose `seq` is above the highest seq ever stored for its box cannot be a copy (a box's
// seq is persisted and only grows; a copy carries its original's seq). That high-water mark is written in
// the same batch as the events, so it never runs ahead of them; a store created before the mark existed
// keeps looking up boxes that have none.
import type { RootStore, Store } from '../../daemon/store.js';
import { sublevel } from '../../daemon/store.js';
import type { EventEnvelope } from '../../protocol/schemas.js';
import { createRecentIds } from './recent-ids.js';

export interface StoredEvent {
  id: string; box: string; region: string; plugin: string; type: string;
  seq: number; ts: number; class?: string; data: unknown; receivedAt: number;
}

export interface EventRef { region: string; box: string; plugin: string; type: string }
export type PutOutcome = 'stored' | 'duplicate';

export interface EventStore {
  /** Stores an event unless its id was seen within the dedupe window. */
  put(ref: EventRef, env: EventEnvelope, now?: number): Promise<PutOutcome>;
  /** One atomic write for the whole batch; outcomes in input order (a repeated id: first copy wins). */
  putMany(items: ReadonlyArray<{ ref: EventRef; env: EventEnvelope }>, now?: number): Promise<PutOutcome[]>;
  /** Newest first. */
  list(box: string, opts?: { limit?: number }): Promise<StoredEvent[]>;
  /** Drops dedupe entries older than the window; returns how many. */
  pruneDedupe(now?: number): Promise<number>;
  /** Drops the events of these boxes whose ts is older than `cutoffTs`. */
  pruneEvents(boxes: string[], cutoffTs: number): Promise<void>;
}

const pad = (n: number, width: number) => String(Math.max(0, Math.trunc(n))).padStart(width, '0');

type Op = { type: 'put'; sublevel: Store; key: string; value: unknown };

export function createEventStore(root: RootStore, opts: { dedupeTtlMs: number; recentIds?: number }): EventStore {
  const events: Store = sublevel(root, 'events');
  const dedupe: Store = sublevel(root, 'dedupe');
  const dedupeByTime: Store = sublevel(root, 'dedupe-by-time');
  const seqHigh: Store = sublevel(root, 'seq-high');
  // box → highest seq stored (-1: none; Infinity: unknown, a store older than the mark)
  const high = new Map<string, number>();
  let noMark: number | null = null; // what a box without a mark means: -1 (new store) or Infinity (older store)
  const MARKED = '\u0000marked-since-creation';
  // ids committed lately: a replay or a back-to-back copy is answered without reading level
  const recent = createRecentIds(opts.recentIds ?? 200_000);
  let chain: Promise<unknown> = Promise.resolve();

  async function loadHighWater(boxes: string[]): Promise<void> {
    if (noMark === null) {
      const [marked] = await seqHigh.getMany([MARKED]);
      if (marked !== undefined) noMark = -1;
      else if ((await events.keys({ limit: 1 }).all()).length === 0) {
        await seqHigh.put(MARKED, true);
        noMark = -1;
      } else noMark = Infinity;
    }
    const missing = boxes.filter((b) => !high.has(b));
    if (!missing.length) return;
    const found = await seqHigh.getMany(missing);
    for (let i = 0; i < missing.length; i++) high.set(missing[i], found[i] === undefined ? noMark : Number(found[i]));
  }

  async function commit(items: ReadonlyArray<{ ref: EventRef; env: EventEnvelope }>, now: number): Promise<PutOutcome[]> {
    await loadHighWater([...new Set(items.map((it) => it.ref.box))]);
    const dkeys = items.map(({ ref, env }) => `${ref.box}!${env.id}`);
    const unknown = [...new Set(dkeys.filter((k, i) => !recent.has(k) && items[i].env.seq <= high.get(items[i].ref.box)!))];
    const inLevel = new Set<string>();
    if (unknown.length) {
      const found = await dedupe.getMany(unknown);
      for (let i = 0; i < unknown.length; i++) if (found[i] !== undefined) inLevel.add(unknown[i]);
    }
    const outcomes: PutOutcome[] = [];
    const fresh = new Set<string>();
    const ops: Op[] = [];
    const nowKey = pad(now, 15);
    for (let i = 0; i < items.length; i++) {
      const dkey = dkeys[i];
      if (recent.has(dkey) || inLevel.has(dkey) || fresh.has(dkey)) { outcomes.push('duplicate'); continue; }
      fresh.add(dkey);
      const { ref, env } = items[i];
      const stored: StoredEvent = {
        id: env.id, box: ref.box, region: ref.region, plugin: ref.plugin, type: ref.type,
        seq: env.seq, ts: env.ts, ...(env.class ? { class: env.class } : {}), data: env.data, receivedAt: now,
      };
      ops.push(
        { type: 'put', sublevel: events, key: `${ref.box}!${pad(env.ts, 15)}!${pad(env.seq, 15)}!${env.id}`, value: stored },
        { type: 'put', sublevel: dedupe, key: dkey, value: now },
      );
      outcomes.push('stored');
    }
    const raised = new Map<string, number>();
    for (let i = 0; i < items.length; i++) {
      const { ref, env } = items[i];
      const mark = high.get(ref.box)!;
      if (outcomes[i] === 'stored' && mark !== Infinity && env.seq > Math.max(mark, raised.get(ref.box) ?? -1)) raised.set(ref.box, env.seq);
    }
    if (fresh.size) {
      // one expiry entry per batch (not per event) lists the ids it stored; keyed by its first id, which is new
      const ids = [...fresh];
      ops.push({ type: 'put', sublevel: dedupeByTime, key: `${nowKey}!${ids[0]}`, value: ids });
      for (const [box, seq] of raised) ops.push({ type: 'put', sublevel: seqHigh, key: box, value: seq });
      await root.batch(ops as never);
    }
    for (const [box, seq] of raised) high.set(box, seq);
    // only after the write: a failed batch must not make its ids look known
    for (const k of fresh) recent.add(k);
    for (const k of inLevel) recent.add(k);
    return outcomes;
  }

  const putMany: EventStore['putMany'] = (items, now = Date.now()) => {
    const run = chain.then(() => commit(items, now));
    chain = run.catch(() => undefined);
    return run;
  };

  return {
    putMany,
    async put(ref, env, now = Date.now()) {
      return (await putMany([{ ref, env }], now))[0];
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
      const flush = async () => {
        const batch = ops.splice(0);
        // between batches of putMany, so a cache entry never outlives its level entry
        const run = chain.then(async () => {
          await root.batch(batch as never);
          for (const op of batch) if (op.sublevel === dedupe) recent.delete(op.key);
        });
        chain = run.catch(() => undefined);
        await run;
      };
      for await (const [key, value] of dedupeByTime.iterator({ lt: cutoff })) {
        ops.push({ type: 'del', sublevel: dedupeByTime, key });
        // a list of ids per batch; stores written before group commit hold one id per entry
        for (const dkey of Array.isArray(value) ? (value as string[]) : [value as string]) {
          ops.push({ type: 'del', sublevel: dedupe, key: dkey });
          pruned++;
        }
        if (ops.length >= 1000) await flush();
      }
      if (ops.length) await flush();
      return pruned;
    },
  };
}
