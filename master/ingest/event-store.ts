// Events from boxes in level, one op per event: each event is keyed by box and envelope id, so the record is
// also the dedupe index (an id is recognised as a copy for as long as its event is retained), and each commit
// adds one page per box listing the ids it stored in arrival order, which is what `list` and retention walk.
// Writes are group commits: putMany stores a whole batch with one lookup (`getMany`) and one level batch.
// Batches run one after another, so a copy of an event in the next batch always sees the previous batch's
// outcome. Most events need no lookup at all: the recent-id cache knows the copies of the last few minutes,
// and an event whose `seq` is above the highest seq ever stored for its box cannot be a copy (a box's seq is
// persisted and only grows; a copy carries its original's seq). That high-water mark is written in the same
// batch as the events, so it never runs ahead of them; a store created before the mark existed keeps looking
// up boxes that have none.
import type { RootStore, Store } from '../../daemon/store.js';
import { sublevel } from '../../daemon/store.js';
import type { EventEnvelope } from '../../protocol/schemas.js';
import { eventKey, pad, pageKey } from './event-keys.js';
import { migrateLegacyEvents } from './event-store-legacy.js';
import { createRecentIds } from './recent-ids.js';

export interface StoredEvent {
  id: string; box: string; region: string; plugin: string; type: string;
  seq: number; ts: number; class?: string; data: unknown; receivedAt: number;
}

export interface EventRef { region: string; box: string; plugin: string; type: string }
export type PutOutcome = 'stored' | 'duplicate';

export interface EventStore {
  /** Stores an event unless an event with its id is stored for its box. */
  put(ref: EventRef, env: EventEnvelope, now?: number): Promise<PutOutcome>;
  /** One atomic write for the whole batch; outcomes in input order (a repeated id: first copy wins). */
  putMany(items: ReadonlyArray<{ ref: EventRef; env: EventEnvelope }>, now?: number): Promise<PutOutcome[]>;
  /** Newest received first. */
  list(box: string, opts?: { limit?: number }): Promise<StoredEvent[]>;
  /** Drops the events of these boxes received before `cutoff` (ms); a later copy of one is new again. */
  pruneEvents(boxes: string[], cutoff: number): Promise<void>;
}

type Op = { type: 'put' | 'del'; sublevel: Store; key: string; value?: unknown };

export function createEventStore(root: RootStore, opts: { recentIds?: number } = {}): EventStore {
  const events: Store = sublevel(root, 'event-by-id');
  const pages: Store = sublevel(root, 'event-pages');
  const seqHigh: Store = sublevel(root, 'seq-high');
  // box → highest seq stored (-1: none; Infinity: unknown, a store older than the mark)
  const high = new Map<string, number>();
  let noMark: number | null = null; // what a box without a mark means: -1 (new store) or Infinity (older store)
  const MARKED = '\u0000marked-since-creation';
  // keys committed lately: a replay or a back-to-back copy is answered without reading level
  const recent = createRecentIds(opts.recentIds ?? 200_000);
  let chain: Promise<unknown> = Promise.resolve();

  /** runs after every batch before it and before every batch after it */
  function serial<T>(work: () => Promise<T>): Promise<T> {
    const run = chain.then(work);
    chain = run.catch(() => undefined);
    return run;
  }

  async function loadHighWater(boxes: string[]): Promise<void> {
    if (noMark === null) {
      await migrateLegacyEvents(root, { events, pages });
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
    const keys = items.map(({ ref, env }) => eventKey(ref.box, env.id));
    const unknown = [...new Set(keys.filter((k, i) => !recent.has(k) && items[i].env.seq <= high.get(items[i].ref.box)!))];
    const inLevel = new Set<string>();
    if (unknown.length) {
      const found = await events.getMany(unknown);
      for (let i = 0; i < unknown.length; i++) if (found[i] !== undefined) inLevel.add(unknown[i]);
    }
    const outcomes: PutOutcome[] = [];
    const fresh = new Set<string>();
    const ops: Op[] = [];
    const stored = new Map<string, string[]>(); // box → ids stored by this batch, in arrival order
    const raised = new Map<string, number>();
    for (let i = 0; i < items.length; i++) {
      const key = keys[i];
      if (recent.has(key) || inLevel.has(key) || fresh.has(key)) { outcomes.push('duplicate'); continue; }
      fresh.add(key);
      const { ref, env } = items[i];
      const event: StoredEvent = {
        id: env.id, box: ref.box, region: ref.region, plugin: ref.plugin, type: ref.type,
        seq: env.seq, ts: env.ts, ...(env.class ? { class: env.class } : {}), data: env.data, receivedAt: now,
      };
      ops.push({ type: 'put', sublevel: events, key, value: event });
      outcomes.push('stored');
      const ids = stored.get(ref.box);
      if (ids) ids.push(env.id); else stored.set(ref.box, [env.id]);
      const mark = high.get(ref.box)!;
      if (mark !== Infinity && env.seq > Math.max(mark, raised.get(ref.box) ?? -1)) raised.set(ref.box, env.seq);
    }
    if (fresh.size) {
      for (const [box, ids] of stored) ops.push({ type: 'put', sublevel: pages, key: pageKey(box, now, ids[0]), value: ids });
      for (const [box, seq] of raised) ops.push({ type: 'put', sublevel: seqHigh, key: box, value: seq });
      await root.batch(ops as never);
    }
    for (const [box, seq] of raised) high.set(box, seq);
    // only after the write: a failed batch must not make its events look known
    for (const k of fresh) recent.add(k);
    for (const k of inLevel) recent.add(k);
    return outcomes;
  }

  return {
    putMany: (items, now = Date.now()) => serial(() => commit(items, now)),
    async put(ref, env, now = Date.now()) {
      return (await serial(() => commit([{ ref, env }], now)))[0];
    },
    async list(box, { limit = 50 } = {}) {
      const want = Math.min(Math.max(limit, 1), 1000);
      await serial(() => loadHighWater([])); // a legacy store is migrated before it is read
      const keys: string[] = [];
      for await (const ids of pages.values({ gt: `${box}!`, lt: `${box}!\xff`, reverse: true })) {
        for (let i = (ids as string[]).length - 1; i >= 0 && keys.length < want; i--) keys.push(eventKey(box, (ids as string[])[i]));
        if (keys.length >= want) break;
      }
      return (await events.getMany(keys)).filter((e) => e !== undefined) as StoredEvent[];
    },
    pruneEvents: (boxes, cutoff) => serial(async () => {
      for (const box of boxes) {
        const ops: Op[] = [];
        const forget: string[] = [];
        const flush = async () => {
          await root.batch(ops.splice(0) as never);
          for (const k of forget.splice(0)) recent.delete(k);
        };
        for await (const [key, ids] of pages.iterator({ gt: `${box}!`, lt: `${box}!${pad(cutoff)}` })) {
          ops.push({ type: 'del', sublevel: pages, key });
          for (const id of ids as string[]) {
            ops.push({ type: 'del', sublevel: events, key: eventKey(box, id) });
            forget.push(eventKey(box, id));
          }
          if (ops.length >= 1000) await flush();
        }
        if (ops.length) await flush();
      }
    }),
  };
}
