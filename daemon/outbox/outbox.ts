// Durable outbox: an event is in level, synced, before enqueue() resolves; it is deleted after the broker's PUBACK.
// Writes of a few milliseconds are gathered into one synced batch (group commit) so throughput stays high.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { KefuError } from '../../protocol/errors.js';
import { OUTBOX_CLASSES, OutboxClass, PROTOCOL_VERSION } from '../../protocol/schemas.js';
import type { Store } from '../store.js';
import { META_LOSSES_KEY, META_SEQ_KEY, SEGMENT_RANGE, decodeSegment, encodeSegment, eventBytes, isEncodableTopic, parseSegmentKey } from './codec.js';
import { createOutboxIndex, zeroCounts, type ClassCounts, type IndexChanges, type OutboxEntry, type Segment } from './index-state.js';

export class OutboxError extends KefuError {}

export interface OutboxOptions {
  /** a sublevel of its own (keys and values are managed here) */
  store: Store;
  log: Logger;
  /** bound on the stored events, in bytes; when full the lowest class is evicted first */
  maxBytes: number;
  /** how long an enqueue may wait for companions before the synced batch is written */
  groupCommitMs?: number;
  /** events per level record; bigger means fewer writes, smaller means less re-sent after a crash */
  maxSegmentEntries?: number;
  /** payload bytes kept in RAM; beyond it, the last-to-be-sent events stay only on disk until their turn */
  memoryBytes?: number;
  now?: () => number;
  newId?: () => string;
}

/** An event: wrapped in the contract's envelope `{v, id, seq, ts, class, data}`. */
export interface EnqueueEvent { topic: string; class: OutboxClass; data: unknown; retain?: boolean }
/** A message of another schema (a command result, cfg/reported): sent as given, still durable and ordered. */
export interface EnqueueMessage { topic: string; class: OutboxClass; payload: Record<string, unknown>; retain?: boolean }
export type EnqueueInput = EnqueueEvent | EnqueueMessage;

export interface OutboxStats {
  pending: ClassCounts;
  bytes: number;
  maxBytes: number;
  /** payload bytes currently held in RAM */
  residentBytes: number;
  inflight: number;
  losses: ClassCounts;
  lastSeq: number;
}

export type { OutboxEntry };

interface Waiter { resolve(): void; reject(err: Error): void }

export function createOutbox(opts: OutboxOptions) {
  const { store, log, maxBytes } = opts;
  const groupCommitMs = opts.groupCommitMs ?? 2;
  const now = opts.now ?? Date.now;
  const newId = opts.newId ?? randomUUID;
  const index = createOutboxIndex({ maxBytes, maxSegmentEntries: opts.maxSegmentEntries ?? 4096, memoryBytes: opts.memoryBytes ?? Math.min(maxBytes, 32 * 1024 * 1024) });
  const loading = new Map<Segment, Promise<void>>();
  const losses = zeroCounts();
  const readyListeners = new Set<() => void>();

  let state: 'new' | 'opening' | 'open' | 'closing' | 'closed' = 'new';
  let lastSeq = 0;
  let lossesDirty = false;
  let waiters: Waiter[] = [];
  const toDelete = new Set<Segment>();
  const toRewrite = new Set<Segment>();
  let timer: NodeJS.Timeout | null = null;
  let writing: Promise<void> | null = null;

  function apply(changes: IndexChanges): void {
    for (const s of changes.deleted) { toDelete.add(s); toRewrite.delete(s); }
    for (const s of changes.trimmed) if (s.live > 0) toRewrite.add(s);
    if (changes.deleted.length || changes.trimmed.length) schedule(false);
  }

  function schedule(urgent: boolean): void {
    if (writing || timer) return;
    // acks alone need no hurry: let them ride along with the next synced batch when one comes soon
    timer = setTimeout(() => { timer = null; void flush(); }, urgent ? groupCommitMs : Math.max(groupCommitMs, 20));
  }

  async function flush(): Promise<void> {
    if (writing) return;
    const fresh = index.takeUnpersisted().filter((s) => s.live > 0);
    const batchWaiters = waiters;
    waiters = [];
    const dels = [...toDelete];
    const rewrites = [...toRewrite].filter((s) => s.live > 0);
    toDelete.clear();
    toRewrite.clear();
    const writeLosses = lossesDirty;
    lossesDirty = false;
    if (fresh.length === 0 && dels.length === 0 && rewrites.length === 0 && !writeLosses && batchWaiters.length === 0) return;

    const ops: Array<{ type: 'put'; key: string; value: unknown; valueEncoding?: string } | { type: 'del'; key: string }> = [];
    const written = new Map<Segment, number>();
    for (const seg of fresh) {
      written.set(seg, seg.live);
      ops.push({ type: 'put', key: seg.key, value: encodeSegment(seg.entries.filter((e) => e.state !== 'done')), valueEncoding: 'utf8' });
    }
    for (const seg of dels) ops.push({ type: 'del', key: seg.key });
    if (fresh.length > 0) ops.push({ type: 'put', key: META_SEQ_KEY, value: lastSeq });
    if (writeLosses) ops.push({ type: 'put', key: META_LOSSES_KEY, value: { ...losses } });

    // only new events need the fsync; a lost delete merely re-sends an event the master dedupes
    const sync = fresh.length > 0 || rewrites.length > 0;
    writing = (async () => {
      try {
        for (const seg of rewrites) ops.push({ type: 'put', key: seg.key, value: await trimmedValue(seg), valueEncoding: 'utf8' });
        if (ops.length > 0) await store.batch(ops as never, { sync } as never); // classic-level honours `sync`; the abstract type omits it
        for (const seg of fresh) {
          index.markPersisted(seg);
          // evicted while the write was under way: the disk copy still holds those events
          if (seg.live === 0) toDelete.add(seg);
          else if (seg.live < written.get(seg)!) toRewrite.add(seg);
        }
        index.spill();
        for (const w of batchWaiters) w.resolve();
      } catch (err) {
        log.error({ err, ops: ops.length }, 'outbox commit failed');
        for (const seg of fresh) index.dropUnpersisted(seg);
        // the deletes and rewrites are retried with the next batch
        for (const s of dels) toDelete.add(s);
        for (const s of rewrites) if (s.live > 0) toRewrite.add(s);
        const e = new OutboxError('OUTBOX_WRITE_FAILED', `outbox write failed: ${(err as Error).message}`);
        for (const w of batchWaiters) w.reject(e);
      }
    })();
    await writing;
    writing = null;
    if (fresh.length > 0) for (const l of [...readyListeners]) l();
    // enqueues that arrived during the write have already waited long enough
    if (waiters.length > 0) void flush();
    else if (toDelete.size > 0 || toRewrite.size > 0 || lossesDirty) schedule(false);
  }

  /** A segment without its evicted entries; a cold one is read back from disk for that. */
  async function trimmedValue(seg: Segment): Promise<string> {
    const liveSeqs = new Set(seg.entries.filter((e) => e.state !== 'done').map((e) => e.seq));
    if (!seg.cold) return encodeSegment(seg.entries.filter((e) => e.state !== 'done'));
    const value = (await store.get(seg.key, { valueEncoding: 'utf8' } as never)) as string | undefined;
    return encodeSegment(decodeSegment(value ?? '').filter((e) => liveSeqs.has(e.seq)));
  }

  /** Reads the payloads of a cold segment back, then lets the sender continue. */
  function loadCold(seg: Segment): void {
    if (loading.has(seg)) return;
    const done = (async () => {
      const value = (await store.get(seg.key, { valueEncoding: 'utf8' } as never)) as string | undefined;
      const changes: IndexChanges = { deleted: [], trimmed: [] };
      const missing = index.fill(seg, decodeSegment(value ?? ''), changes);
      for (const e of missing) countLoss(e.cls);
      if (missing.length > 0) log.error({ key: seg.key, missing: missing.length }, 'outbox: events missing on disk; dropped and counted');
      apply(changes);
    })()
      .catch((err) => log.error({ err, key: seg.key }, 'outbox: reading a segment back failed'))
      .finally(() => {
        loading.delete(seg);
        for (const l of [...readyListeners]) l();
      });
    loading.set(seg, done);
  }

  function countLoss(cls: OutboxClass, n = 1): void {
    losses[cls] += n;
    lossesDirty = true;
  }

  const outbox = {
    async open(): Promise<void> {
      if (state !== 'new' && state !== 'closed') return;
      state = 'opening';
      const seqMeta = await store.get(META_SEQ_KEY).catch(() => undefined);
      lastSeq = typeof seqMeta === 'number' ? seqMeta : 0;
      const lossMeta = (await store.get(META_LOSSES_KEY).catch(() => undefined)) as Partial<ClassCounts> | undefined;
      for (const c of OUTBOX_CLASSES) losses[c] = typeof lossMeta?.[c] === 'number' ? lossMeta[c]! : 0;
      let bad = 0;
      for await (const [key, value] of store.iterator({ ...SEGMENT_RANGE, valueEncoding: 'utf8' } as never) as AsyncIterable<[string, string]>) {
        const parsed = parseSegmentKey(key);
        if (!parsed) { bad++; continue; }
        const events = decodeSegment(value, () => bad++);
        for (const e of events) if (e.seq > lastSeq) lastSeq = e.seq;
        index.load(parsed.cls, parsed.firstSeq, events);
        index.spill();
      }
      if (bad > 0) log.warn({ bad }, 'outbox: skipped unreadable records');
      state = 'open';
      log.info({ pending: index.counts(), bytes: index.bytes, lastSeq }, 'outbox opened');
      if (index.bytes > 0) for (const l of [...readyListeners]) l();
    },

    /** Flushes what is pending and stops accepting. The store itself belongs to the caller. */
    async close(): Promise<void> {
      if (state !== 'open') return;
      state = 'closing';
      if (timer) { clearTimeout(timer); timer = null; }
      while (writing) await writing;
      await Promise.allSettled([...loading.values()]);
      await flush();
      while (writing) await writing;
      state = 'closed';
    },

    /** Resolves with the envelope id and seq once the event is synced to disk. */
    enqueue(input: EnqueueInput): Promise<{ id: string; seq: number }> {
      if (state !== 'open') return Promise.reject(new OutboxError('OUTBOX_CLOSED', 'the outbox is not open'));
      const cls = input.class;
      if (!OutboxClass.safeParse(cls).success) return Promise.reject(new OutboxError('OUTBOX_BAD_CLASS', `unknown outbox class ${String(cls)}`));
      if (!isEncodableTopic(input.topic)) return Promise.reject(new OutboxError('OUTBOX_BAD_TOPIC', 'topic must be non-empty, without tabs or newlines'));
      const seq = ++lastSeq;
      const id = newId();
      let payload: string;
      try {
        payload = 'data' in input
          ? JSON.stringify({ v: PROTOCOL_VERSION, id, seq, ts: now(), class: cls, data: input.data })
          : JSON.stringify(input.payload);
      } catch (err) {
        return Promise.reject(new OutboxError('OUTBOX_NOT_SERIALISABLE', `payload is not JSON-serialisable: ${(err as Error).message}`));
      }
      const event = { seq, id, topic: input.topic, retain: input.retain ?? false, payload };
      const need = eventBytes(event);
      const changes: IndexChanges = { deleted: [], trimmed: [] };
      const evicted = need > maxBytes ? null : index.makeRoom(need, cls, changes);
      if (evicted === null) {
        countLoss(cls);
        schedule(false);
        return Promise.reject(new OutboxError('OUTBOX_FULL', `outbox full (${index.bytes}/${maxBytes} bytes): ${cls} event dropped`));
      }
      for (const e of evicted) countLoss(e.cls);
      if (evicted.length > 0) log.warn({ evicted: evicted.length, for: cls }, 'outbox full: evicted lower-class events');
      apply(changes);
      index.add(cls, event, need);
      return new Promise((resolve, reject) => {
        waiters.push({ resolve: () => resolve({ id, seq }), reject });
        schedule(true);
      });
    },

    /** Next entries to send (highest class first, seq order within a class), marked in flight. */
    take(allowed: ReadonlySet<OutboxClass> | undefined, max: number): OutboxEntry[] {
      if (state !== 'open' && state !== 'closing') return [];
      const out = index.take(allowed, max);
      for (const seg of index.takeWanted()) loadCold(seg);
      return out;
    },

    /** The broker's PUBACK for `seq`: the event is deleted (asynchronously, batched). */
    ack(seq: number): boolean {
      const changes: IndexChanges = { deleted: [], trimmed: [] };
      const known = index.ack(seq, changes);
      apply(changes);
      return known;
    },

    /** The broker refused `seq` for good (MQTT 5 reason code): dropped and counted as a loss. */
    reject(seq: number): void {
      const changes: IndexChanges = { deleted: [], trimmed: [] };
      const e = index.reject(seq, changes);
      if (e) countLoss(e.cls);
      apply(changes);
    },

    /** The link dropped: every in-flight entry will be sent again, in order. */
    requeueInflight(): number { return index.requeueInflight(); },

    /** Called after new events become sendable; returns a disposer. */
    onReady(listener: () => void): () => void {
      readyListeners.add(listener);
      return () => readyListeners.delete(listener);
    },

    stats(): OutboxStats {
      return { pending: index.counts(), bytes: index.bytes, maxBytes, residentBytes: index.residentBytes, inflight: index.inflightCount, losses: { ...losses }, lastSeq };
    },

    /** Live entries in replay order (inspection, CLI, tests). */
    peek(limit = 100): Array<Pick<OutboxEntry, 'seq' | 'id' | 'cls' | 'topic' | 'state'>> {
      const out: Array<Pick<OutboxEntry, 'seq' | 'id' | 'cls' | 'topic' | 'state'>> = [];
      for (const e of index.entries()) { if (out.length >= limit) break; out.push({ seq: e.seq, id: e.id, cls: e.cls, topic: e.topic, state: e.state }); }
      return out;
    },
  };
  return outbox;
}

export type Outbox = ReturnType<typeof createOutbox>;
