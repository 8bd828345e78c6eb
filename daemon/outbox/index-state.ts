// The outbox's in-memory mirror (pure, no I/O): segments per class in key order, a send queue per class,
// the in-flight set, byte accounting and eviction. The durable half lives in outbox.ts.
import { OUTBOX_CLASSES, type OutboxClass } from '../../protocol/schemas.js';
import { CLASS_RANK, eventBytes, segmentKey, type EncodedEvent } from './codec.js';

/** a cold entry's payload: the bytes are on disk only */
const NO_PAYLOAD = Buffer.alloc(0);

export type EntryState = 'pending' | 'queued' | 'inflight' | 'done';

export interface OutboxEntry extends EncodedEvent {
  readonly cls: OutboxClass;
  readonly bytes: number;
  state: EntryState;
  readonly segment: Segment;
}

export interface Segment {
  readonly key: string;
  readonly cls: OutboxClass;
  readonly entries: OutboxEntry[];
  /** entries not yet acked or evicted */
  live: number;
  /** durable (in level, or in the write-ahead log): its entries may be sent */
  persisted: boolean;
  /** has a record in level: deletes, rewrites and spilling apply to it */
  stored: boolean;
  /** payloads dropped from memory (they are on disk); loaded again before its entries are sent */
  cold: boolean;
}

export type ClassCounts = Record<OutboxClass, number>;
export const zeroCounts = (): ClassCounts => ({ critical: 0, event: 0, telemetry: 0, bulk: 0 });

/** A FIFO with O(1) shift that compacts itself now and then. */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;
  push(x: T): void { this.items.push(x); }
  peek(): T | undefined { return this.items[this.head]; }
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const x = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) { this.items = this.items.slice(this.head); this.head = 0; }
    return x;
  }
  reset(items: T[]): void { this.items = items; this.head = 0; }
}

export interface IndexChanges {
  /** persisted segments whose every entry is gone: delete their records */
  deleted: Segment[];
  /** persisted segments that lost entries to eviction: rewrite them so evicted events do not come back */
  trimmed: Segment[];
}

export function createOutboxIndex(opts: { maxBytes: number; maxSegmentEntries: number; memoryBytes?: number }) {
  const memoryBytes = opts.memoryBytes ?? Infinity;
  const segments = new Map<OutboxClass, Map<string, Segment>>(OUTBOX_CLASSES.map((c) => [c, new Map()]));
  const queues = new Map<OutboxClass, Fifo<OutboxEntry>>(OUTBOX_CLASSES.map((c) => [c, new Fifo()]));
  const open = new Map<OutboxClass, Segment>(); // the segment currently filling, per class
  let unpersisted: Segment[] = []; // every segment created since the last commit
  const inflight = new Map<number, OutboxEntry>();
  const live = zeroCounts();
  let bytes = 0;
  let resident = 0; // payload bytes held in memory
  const wanted = new Set<Segment>(); // cold segments at the head of a class queue

  function newSegment(cls: OutboxClass, firstSeq: number, persisted: boolean): Segment {
    const seg: Segment = { key: segmentKey(cls, firstSeq), cls, entries: [], live: 0, persisted, stored: persisted, cold: false };
    segments.get(cls)!.set(seg.key, seg);
    return seg;
  }

  function addEntry(seg: Segment, e: EncodedEvent, state: EntryState, size?: number): OutboxEntry {
    // one literal shape for every entry keeps the hot path monomorphic
    const entry: OutboxEntry = { seq: e.seq, id: e.id, topic: e.topic, retain: e.retain, payload: e.payload, cls: seg.cls, bytes: size ?? eventBytes(e), state, segment: seg };
    seg.entries.push(entry);
    seg.live++;
    live[seg.cls]++;
    bytes += entry.bytes;
    resident += entry.bytes;
    if (state === 'queued') queues.get(seg.cls)!.push(entry);
    return entry;
  }

  /** Marks an entry gone (acked or evicted) and reports what must change on disk. */
  function retire(entry: OutboxEntry, changes: IndexChanges, evicted: boolean): void {
    if (entry.state === 'done') return;
    entry.state = 'done';
    inflight.delete(entry.seq);
    const seg = entry.segment;
    seg.live--;
    live[seg.cls]--;
    bytes -= entry.bytes;
    if (!seg.cold) resident -= entry.bytes;
    if (seg.live === 0) {
      segments.get(seg.cls)!.delete(seg.key);
      if (open.get(seg.cls) === seg) open.delete(seg.cls);
      if (seg.stored) changes.deleted.push(seg);
    } else if (evicted && seg.stored) {
      changes.trimmed.push(seg);
    }
  }

  return {
    get bytes() { return bytes; },
    get inflightCount() { return inflight.size; },
    counts(): ClassCounts { return { ...live }; },

    /** Loads a persisted segment at open; its entries are ready to send. */
    load(cls: OutboxClass, firstSeq: number, events: EncodedEvent[]): void {
      if (events.length === 0) return;
      const seg = newSegment(cls, firstSeq, true);
      for (const e of events) addEntry(seg, e, 'queued');
    },

    /** Adds a new, not yet persisted event to the class's filling segment. */
    add(cls: OutboxClass, e: EncodedEvent, size?: number): OutboxEntry {
      let seg = open.get(cls);
      if (!seg || seg.persisted || seg.entries.length >= opts.maxSegmentEntries) {
        seg = newSegment(cls, e.seq, false);
        open.set(cls, seg);
        unpersisted.push(seg);
      }
      return addEntry(seg, e, 'pending', size);
    },

    /** Segments filled since the last commit: they go into the next batch. Closes them for new entries. */
    takeUnpersisted(): Segment[] {
      const out = unpersisted;
      unpersisted = [];
      open.clear();
      return out;
    },

    /** After a successful commit: the segment's surviving entries become sendable, in seq order. */
    markPersisted(seg: Segment, stored = true): void {
      seg.persisted = true;
      if (stored) seg.stored = true;
      const q = queues.get(seg.cls)!;
      for (const e of seg.entries) if (e.state === 'pending') { e.state = 'queued'; q.push(e); }
    },

    /** After a failed commit: the entries never existed. */
    dropUnpersisted(seg: Segment): void {
      for (const e of seg.entries) {
        if (e.state !== 'done') { e.state = 'done'; seg.live--; live[seg.cls]--; bytes -= e.bytes; resident -= e.bytes; }
      }
      segments.get(seg.cls)!.delete(seg.key);
    },

    /**
     * Makes room for `need` bytes for an event of class `cls`: evicts the lowest class first, oldest first, never
     * a class above `cls` and never an in-flight entry. Returns the evicted entries, or null when there is no room.
     */
    makeRoom(need: number, cls: OutboxClass, changes: IndexChanges): OutboxEntry[] | null {
      if (bytes + need <= opts.maxBytes) return [];
      let reclaimable = 0;
      const candidates: OutboxEntry[] = [];
      for (let rank = OUTBOX_CLASSES.length - 1; rank >= CLASS_RANK[cls] && bytes - reclaimable + need > opts.maxBytes; rank--) {
        for (const seg of segments.get(OUTBOX_CLASSES[rank])!.values()) {
          for (const e of seg.entries) {
            if (e.state !== 'queued' && e.state !== 'pending') continue;
            candidates.push(e);
            reclaimable += e.bytes;
            if (bytes - reclaimable + need <= opts.maxBytes) break;
          }
          if (bytes - reclaimable + need <= opts.maxBytes) break;
        }
      }
      if (bytes - reclaimable + need > opts.maxBytes) return null;
      for (const e of candidates) retire(e, changes, true);
      return candidates;
    },

    /** The next sendable entries, highest class first and in seq order within a class; marks them in flight. */
    take(allowed: ReadonlySet<OutboxClass> | undefined, max: number): OutboxEntry[] {
      const out: OutboxEntry[] = [];
      for (const cls of OUTBOX_CLASSES) {
        if (allowed && !allowed.has(cls)) continue;
        const q = queues.get(cls)!;
        while (out.length < max) {
          const head = q.peek();
          if (!head) break;
          // a cold segment blocks its class (order within a class is kept) until its payloads are loaded
          if (head.state === 'queued' && head.segment.cold) { wanted.add(head.segment); break; }
          const e = q.shift()!;
          if (e.state !== 'queued') continue;
          e.state = 'inflight';
          inflight.set(e.seq, e);
          out.push(e);
        }
        if (out.length >= max) break;
      }
      return out;
    },

    /** The broker acknowledged `seq`; returns false for an unknown (already acked or evicted) seq. */
    ack(seq: number, changes: IndexChanges): boolean {
      const e = inflight.get(seq);
      if (!e) return false;
      retire(e, changes, false);
      return true;
    },

    /** Drops an entry for good (the broker refused it); counted by the caller. */
    reject(seq: number, changes: IndexChanges): OutboxEntry | undefined {
      const e = inflight.get(seq);
      if (e) retire(e, changes, true);
      return e;
    },

    /** The link dropped: everything in flight goes back, and every class queue is rebuilt in seq order. */
    requeueInflight(): number {
      const n = inflight.size;
      for (const e of inflight.values()) e.state = 'queued';
      inflight.clear();
      for (const cls of OUTBOX_CLASSES) {
        const items: OutboxEntry[] = [];
        for (const seg of segments.get(cls)!.values()) for (const e of seg.entries) if (e.state === 'queued') items.push(e);
        queues.get(cls)!.reset(items);
      }
      return n;
    },

    get residentBytes() { return resident; },

    /** Cold segments that take() stopped at; the caller loads them (loadSegment) and pumps again. */
    takeWanted(): Segment[] {
      const out = [...wanted];
      wanted.clear();
      return out;
    },

    /** Payloads of a cold segment, read back from disk. Returns entries whose payload was missing (corrupt). */
    fill(seg: Segment, events: EncodedEvent[], changes: IndexChanges): OutboxEntry[] {
      if (!seg.cold) return [];
      const bySeq = new Map(events.map((e) => [e.seq, e.payload]));
      seg.cold = false;
      const missing: OutboxEntry[] = [];
      for (const e of seg.entries) {
        if (e.state === 'done') continue;
        const p = bySeq.get(e.seq);
        if (p === undefined) { missing.push(e); continue; }
        e.payload = p;
        resident += e.bytes;
      }
      for (const e of missing) { resident += e.bytes; retire(e, changes, true); }
      return missing;
    },

    /**
     * Drops payloads from memory until at most `memoryBytes` are resident: newest segments of the lowest class
     * first (sent last), never a segment that is unpersisted or has an entry in flight.
     */
    spill(): void {
      if (resident <= memoryBytes) return;
      for (let rank = OUTBOX_CLASSES.length - 1; rank >= 0; rank--) {
        const segs = [...segments.get(OUTBOX_CLASSES[rank])!.values()].reverse();
        for (const seg of segs) {
          if (resident <= memoryBytes * 0.75) return;
          if (seg.cold || !seg.stored || seg.entries.some((e) => e.state === 'inflight')) continue;
          for (const e of seg.entries) if (e.state !== 'done') { resident -= e.bytes; e.payload = NO_PAYLOAD; }
          seg.cold = true;
        }
      }
    },

    /** Durable segments with live entries but no level record yet (they live only in the write-ahead log). */
    unstored(): Segment[] {
      const out: Segment[] = [];
      for (const cls of OUTBOX_CLASSES) for (const seg of segments.get(cls)!.values()) if (seg.persisted && !seg.stored && seg.live > 0) out.push(seg);
      return out;
    },

    /** Live entries of every class in replay order, for inspection and tests. */
    *entries(): Generator<OutboxEntry> {
      for (const cls of OUTBOX_CLASSES) for (const seg of segments.get(cls)!.values()) for (const e of seg.entries) if (e.state !== 'done') yield e;
    },
  };
}

export type OutboxIndex = ReturnType<typeof createOutboxIndex>;
