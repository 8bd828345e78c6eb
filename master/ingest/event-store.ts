// Events from boxes in level, one op per event: each event is keyed by box and envelope id, so the record is
// also the dedupe index (an id is recognised as a copy for as long as its event is retained), and each commit
// adds one page per box listing the ids it stored in arrival order, which is what `list` and retention walk.
// Writes are group commits: putMany stores a whole batch with one lookup (`getMany`) and one level batch.
// Batches run one after another, so a copy of an event in the next batch always sees the previous batch's
// outcome. Most events need no lookup at all: an event whose `seq` is above the highest seq ever stored for its
// box cannot be a copy (a box's seq is persisted and only grows; a copy carries its original's seq), so only
// replays after a reconnect are looked up, a commit's worth in one getMany. (An in-memory cache of recent ids
// was dropped: it cost a sixth of the store's CPU on every event to spare those rare lookups.) The high-water
// mark is written in the same batch as the events, so it never runs ahead of them; a store created before the
// mark existed keeps looking up boxes that have none.
import type { RootStore, Store } from '../../daemon/store.js';
import { sublevel } from '../../daemon/store.js';
import type { EventEnvelope } from '../../protocol/schemas.js';
import { decodeEvent, encodeEvent, eventKey, pad, pageKey, type EventRecords, type EventRef, type StoreOp, type StoredEvent } from './event-format.js';
import { migrateLegacyEvents } from './event-store-legacy.js';

export type { EventRef, StoredEvent } from './event-format.js';
export type PutOutcome = 'stored' | 'duplicate';

export interface EventStore {
  /** Stores an event unless an event with its id is stored for its box. */
  put(ref: EventRef, env: EventEnvelope, now?: number): Promise<PutOutcome>;
  /** One atomic write for the whole batch; outcomes in input order (a repeated id: first copy wins). `raw`: the
   *  envelope's bytes as received, stored as they are. */
  putMany(items: ReadonlyArray<EventItem>, now?: number): Promise<PutOutcome[]>;
  /** Newest received first. */
  list(box: string, opts?: { limit?: number }): Promise<StoredEvent[]>;
  /** Drops the events of these boxes received before `cutoff` (ms); a later copy of one is new again. */
  pruneEvents(boxes: string[], cutoff: number): Promise<void>;
}

export interface EventItem { ref: EventRef; env: EventEnvelope; raw?: Buffer }

export function createEventStore(root: RootStore): EventStore {
  const events: EventRecords = root.sublevel<string, Uint8Array>('event-by-id', { valueEncoding: 'view' }) as EventRecords;
  const pages: Store = sublevel(root, 'event-pages');
  const seqHigh: Store = sublevel(root, 'seq-high');
  // box → highest seq stored (-1: none; Infinity: unknown, a store older than the mark)
  const high = new Map<string, number>();
  let noMark: number | null = null; // what a box without a mark means: -1 (new store) or Infinity (older store)
  const MARKED = '\u0000marked-since-creation';
  let chain: Promise<unknown> = Promise.resolve();

  /** runs after every batch before it and before every batch after it */
  function serial<T>(work: () => Promise<T>): Promise<T> {
    const run = chain.then(work);
    chain = run.catch(() => undefined);
    return run;
  }

  async function loadHighWater(boxes: string[]): Promise<void> {
    if (noMark === null) {
      const migrated = await migrateLegacyEvents(root, { events, pages });
      if (migrated.moved > 0) {
        // the old events are all here now: the highest seq among them is a sound mark for each box
        const boxes = [...migrated.highestSeq.keys()];
        const marks = await seqHigh.getMany(boxes);
        await seqHigh.batch([
          ...boxes.map((b, i) => ({ type: 'put' as const, key: b, value: Math.max(Number(marks[i] ?? -1), migrated.highestSeq.get(b)!) })),
          { type: 'put' as const, key: MARKED, value: true },
        ]);
      }
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

  async function commit(items: ReadonlyArray<EventItem>, now: number): Promise<PutOutcome[]> {
    await loadHighWater([...new Set(items.map((it) => it.ref.box))]);
    const keys = items.map(({ ref, env }) => eventKey(ref.box, env.id));
    const unknown = [...new Set(keys.filter((_, i) => items[i].env.seq <= high.get(items[i].ref.box)!))];
    const inLevel = new Set<string>();
    if (unknown.length) {
      const found = await events.getMany(unknown);
      for (let i = 0; i < unknown.length; i++) if (found[i] !== undefined) inLevel.add(unknown[i]);
    }
    const outcomes: PutOutcome[] = [];
    const fresh = new Set<string>();
    const ops: StoreOp[] = [];
    const stored = new Map<string, string[]>(); // box → ids stored by this batch, in arrival order
    const raised = new Map<string, number>();
    for (let i = 0; i < items.length; i++) {
      const key = keys[i];
      if (inLevel.has(key) || fresh.has(key)) { outcomes.push('duplicate'); continue; }
      fresh.add(key);
      const { ref, env, raw } = items[i];
      ops.push({ type: 'put', sublevel: events, key, value: encodeEvent(ref, env, now, raw) });
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
    // only after the write: a failed batch must not raise the mark
    for (const [box, seq] of raised) high.set(box, seq);
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
      return (await events.getMany(keys)).flatMap((e): StoredEvent[] => (e === undefined ? [] : [decodeEvent(e)]));
    },
    pruneEvents: (boxes, cutoff) => serial(async () => {
      for (const box of boxes) {
        let ops: StoreOp[] = [];
        for await (const [key, ids] of pages.iterator({ gt: `${box}!`, lt: `${box}!${pad(cutoff)}` })) {
          ops.push({ type: 'del', sublevel: pages, key }, ...(ids as string[]).map((id): StoreOp => ({ type: 'del', sublevel: events, key: eventKey(box, id) })));
          if (ops.length >= 1000) { await root.batch(ops as never); ops = []; }
        }
        if (ops.length) await root.batch(ops as never);
      }
    }),
  };
}
