// Durable outbox: an event is on disk before enqueue() resolves; it is deleted after the broker's PUBACK.
// Two ways to get there: a synced level batch per group commit, or (with `walDir`) an append to a write-ahead log,
// whose events reach level only at checkpoints (and usually never: most are acked first). The log's appends are
// synced before enqueue() resolves (`syncEveryMs: 0`) or within syncEveryMs after it (a daemon crash loses nothing,
// a power cut at most that window).
// Enqueues that arrive while a commit is under way go together into the next one (group commit).
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { KefuError } from '../../protocol/errors.js';
import { OUTBOX_CLASSES, OutboxClass, PROTOCOL_VERSION } from '../../protocol/schemas.js';
import type { Store } from '../store.js';
import { CLASS_RANK, META_LOSSES_KEY, META_SEQ_KEY, decodeSegment, eventBytes, isEncodableTopic } from './codec.js';
import { createOutboxIndex, zeroCounts, type ClassCounts, type IndexChanges, type OutboxEntry, type Segment } from './index-state.js';
import { createDurableWriter } from './durable-writer.js';
import { createPayloadSlabs } from './payload-slabs.js';

export class OutboxError extends KefuError {}

export interface OutboxOptions {
  /** a sublevel of its own (keys and values are managed here) */
  store: Store;
  log: Logger;
  /** bound on the stored events, in bytes; when full the lowest class is evicted first */
  maxBytes: number;
  /** how long an enqueue may wait for companions before its commit starts (default 0: the next turn) */
  groupCommitMs?: number;
  /** a folder of its own for the write-ahead log; without it every commit is a synced level batch */
  walDir?: string;
  /** WAL bytes after which its events are checkpointed into level and the log starts over */
  walMaxBytes?: number;
  /** WAL mode: 0 = an enqueue resolves once its event is on stable storage; N = once the OS has it, synced within N ms */
  syncEveryMs?: number;
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

/** The enqueues that go into one group commit: they settle together, when it is on disk or has failed. */
interface Batch { done: Promise<void>; resolve(): void; reject(err: Error): void }

function newBatch(): Batch {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const done = new Promise<void>((res, rej) => { resolve = res; reject = rej; });
  return { done, resolve, reject };
}

export function createOutbox(opts: OutboxOptions) {
  const { log, maxBytes } = opts;
  const groupCommitMs = opts.groupCommitMs ?? 0;
  const now = opts.now ?? Date.now;
  const newId = opts.newId ?? createIdSource();
  const maxSegmentEntries = opts.maxSegmentEntries ?? 4096;
  const memoryBytes = opts.memoryBytes ?? Math.min(maxBytes, 32 * 1024 * 1024);
  const index = createOutboxIndex({ maxBytes, maxSegmentEntries, memoryBytes });
  const losses = zeroCounts();
  let lastSeq = 0;
  const disk = createDurableWriter({
    store: opts.store, log, index, walDir: opts.walDir, walMaxBytes: opts.walMaxBytes ?? 16 * 1024 * 1024, syncEveryMs: opts.syncEveryMs ?? 0, memoryBytes, maxSegmentEntries,
    lastSeq: () => lastSeq, losses,
  });
  const loading = new Map<Segment, Promise<void>>();
  const readyListeners = new Set<() => void>();
  /**
   * topics already checked, each mapped to one string kept for it: the same few topics come again and again, and
   * events in flight then share that string instead of each keeping the producer's own copy
   */
  const goodTopics = new Map<string, string>();
  const payloadBytes = createPayloadSlabs();

  let state: 'new' | 'opening' | 'open' | 'closing' | 'closed' = 'new';
  /** the enqueues waiting for the next commit, if any */
  let waiting: Batch | null = null;
  let timer: { urgent: boolean; cancel(): void } | null = null;
  let writing: Promise<void> | null = null;

  function apply(changes: IndexChanges): void {
    if (disk.apply(changes)) schedule(false);
    changes.deleted.length = 0;
    changes.trimmed.length = 0;
  }
  /** reused by enqueue and ack (one per event each): apply() hands its contents on and empties it */
  const scratch: IndexChanges = { deleted: [], trimmed: [] };

  function forget(seq: number): void {
    if (disk.forget(seq)) schedule(false);
  }

  function schedule(urgent: boolean): void {
    if (writing) return;
    // an enqueue must not sit behind the lazy timer that acks set
    if (timer && (timer.urgent || !urgent)) return;
    timer?.cancel();
    const run = () => { timer = null; void flush(); };
    if (urgent && groupCommitMs === 0) {
      const h = setImmediate(run);
      timer = { urgent, cancel: () => clearImmediate(h) };
    } else {
      // acks alone need no hurry: let them ride along with the next commit when one comes soon
      const h = setTimeout(run, urgent ? groupCommitMs : Math.max(groupCommitMs, 20));
      timer = { urgent, cancel: () => clearTimeout(h) };
    }
  }

  async function flush(): Promise<void> {
    if (writing) return;
    timer?.cancel();
    timer = null;
    const fresh = index.takeUnpersisted().filter((s) => s.live > 0);
    const batch = waiting;
    waiting = null;
    const final = state === 'closing';
    writing = (async () => {
      try {
        await disk.commit(fresh);
        index.spill();
        batch?.resolve();
      } catch (err) {
        log.error({ err, events: fresh.length }, 'outbox commit failed');
        for (const seg of fresh) index.dropUnpersisted(seg);
        const e = new OutboxError('OUTBOX_WRITE_FAILED', `outbox write failed: ${(err as Error).message}`);
        batch?.reject(e);
      }
      await disk.after(final);
    })();
    await writing;
    writing = null;
    if (fresh.length > 0) for (const l of [...readyListeners]) l();
    // enqueues that arrived during the write have already waited long enough
    if (waiting) void flush();
    else if (disk.pending) schedule(false);
  }

  /** Reads the payloads of a cold segment back, then lets the sender continue. */
  function loadCold(seg: Segment): void {
    if (loading.has(seg)) return;
    const done = (async () => {
      const value = await disk.readSegment(seg.key);
      const changes: IndexChanges = { deleted: [], trimmed: [] };
      const missing = index.fill(seg, decodeSegment(value ?? ''), changes);
      for (const e of missing) { countLoss(e.cls); forget(e.seq); }
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
    disk.lossChanged();
  }

  const outbox = {
    async open(): Promise<void> {
      if (state !== 'new' && state !== 'closed') return;
      state = 'opening';
      const seqMeta = await opts.store.get(META_SEQ_KEY).catch(() => undefined);
      const lossMeta = (await opts.store.get(META_LOSSES_KEY).catch(() => undefined)) as Partial<ClassCounts> | undefined;
      for (const c of OUTBOX_CLASSES) losses[c] = typeof lossMeta?.[c] === 'number' ? lossMeta[c]! : 0;
      const durable = await disk.read(typeof seqMeta === 'number' ? seqMeta : 0);
      lastSeq = durable.lastSeq;
      for (const seg of durable.segments) {
        for (const e of seg.events) if (e.seq > lastSeq) lastSeq = e.seq;
        index.load(seg.cls, seg.firstSeq, seg.events);
        index.spill();
      }
      state = 'open';
      log.info({ pending: index.counts(), bytes: index.bytes, lastSeq }, 'outbox opened');
      if (index.bytes > 0) for (const l of [...readyListeners]) l();
    },

    /** Flushes what is pending and stops accepting. The store itself belongs to the caller. */
    async close(): Promise<void> {
      if (state !== 'open') return;
      state = 'closing';
      timer?.cancel();
      timer = null;
      while (writing) await writing;
      await Promise.allSettled([...loading.values()]);
      // in WAL mode this flush also checkpoints, so a clean stop leaves an empty log
      await flush();
      while (writing) await writing;
      await disk.close();
      state = 'closed';
    },

    /** Resolves with the envelope id and seq once the event is synced to disk. */
    enqueue(input: EnqueueInput): Promise<{ id: string; seq: number }> {
      if (state !== 'open') return Promise.reject(new OutboxError('OUTBOX_CLOSED', 'the outbox is not open'));
      const cls = input.class;
      if (typeof cls !== 'string' || !Object.hasOwn(CLASS_RANK, cls)) return Promise.reject(new OutboxError('OUTBOX_BAD_CLASS', `unknown outbox class ${String(cls)}`));
      let topic = goodTopics.get(input.topic);
      if (topic === undefined) {
        if (!isEncodableTopic(input.topic)) return Promise.reject(new OutboxError('OUTBOX_BAD_TOPIC', 'topic must be non-empty, without tabs or newlines'));
        if (goodTopics.size >= 4096) goodTopics.clear();
        topic = input.topic;
        goodTopics.set(topic, topic);
      }
      const seq = ++lastSeq;
      const id = newId();
      let payload: Buffer;
      try {
        payload = payloadBytes(cls, 'data' in input
          ? JSON.stringify({ v: PROTOCOL_VERSION, id, seq, ts: now(), class: cls, data: input.data })
          : JSON.stringify(input.payload));
      } catch (err) {
        return Promise.reject(new OutboxError('OUTBOX_NOT_SERIALISABLE', `payload is not JSON-serialisable: ${(err as Error).message}`));
      }
      const event = { seq, id, topic, retain: input.retain ?? false, payload };
      const need = eventBytes(event);
      const changes = scratch;
      const evicted = need > maxBytes ? null : index.makeRoom(need, cls, changes);
      if (evicted === null) {
        countLoss(cls);
        schedule(false);
        return Promise.reject(new OutboxError('OUTBOX_FULL', `outbox full (${index.bytes}/${maxBytes} bytes): ${cls} event dropped`));
      }
      for (const e of evicted) { countLoss(e.cls); forget(e.seq); }
      if (evicted.length > 0) log.warn({ evicted: evicted.length, for: cls }, 'outbox full: evicted lower-class events');
      apply(changes);
      index.add(cls, event, need);
      schedule(true);
      // one promise and one closure per enqueue on a promise per commit (a promise of its own with its resolve and
      // reject functions cost twice the garbage); under tsx every closure created on this path also costs a __name() call
      waiting ??= newBatch();
      return waiting.done.then(() => ({ id, seq }));
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
      const changes = scratch;
      const known = index.ack(seq, changes);
      if (known) forget(seq);
      apply(changes);
      return known;
    },

    /** The broker refused `seq` for good (MQTT 5 reason code): dropped and counted as a loss. */
    reject(seq: number): void {
      const changes: IndexChanges = { deleted: [], trimmed: [] };
      const e = index.reject(seq, changes);
      if (e) { countLoss(e.cls); forget(seq); }
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

/**
 * Envelope ids: a random prefix per outbox instance (72 bits: unique across restarts and reinstalls, which is what the
 * master's dedupe on box + id needs) and a counter. A randomUUID() per event cost ~0.6 KB of garbage each.
 */
function createIdSource(): () => string {
  const prefix = randomBytes(9).toString('base64url');
  // built in a buffer and read out as one flat string: `prefix + counter` would be a concatenation (V8 keeps the
  // two parts and, once the JSON serialiser has read it, a flat copy too: twice the bytes kept per event in flight)
  const scratch = Buffer.alloc(prefix.length + 16);
  scratch.write(prefix, 'latin1');
  let n = 0;
  return () => scratch.toString('latin1', 0, prefix.length + scratch.write((n++).toString(36), prefix.length, 'latin1'));
}
