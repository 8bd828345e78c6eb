// The disk half of the outbox. Two ways to make a group commit durable:
// - level mode: the commit's segments, deletes and rewrites in one level batch, synced when it holds new events;
// - WAL mode: one append to the write-ahead log (new events + the seqs acked or evicted since the last append),
//   on stable storage when it returns or synced within `syncEveryMs` (wal-file.ts). Events reach level only at checkpoints, which run beside the commits once the log is big (or payloads
//   must leave memory): the log starts a new file, the live events go into level in a synced batch, and the old
//   file is deleted. Most events are acked before any checkpoint and never touch level at all.
import type { Logger } from 'pino';
import type { Store } from '../store.js';
import { META_LOSSES_KEY, META_SEQ_KEY, SEGMENT_RANGE, decodeSegment, encodeSegment, parseSegmentKey } from './codec.js';
import type { ClassCounts, IndexChanges, OutboxEntry, OutboxIndex, Segment } from './index-state.js';
import { encodeCommit } from './wal-codec.js';
import { createWalFile } from './wal-file.js';
import { mergeReplay, type StoredSegment } from './wal-replay.js';

type LevelOp = { type: 'put'; key: string; value: unknown; valueEncoding?: string } | { type: 'del'; key: string };

export interface DurableWriterOptions {
  store: Store;
  log: Logger;
  index: OutboxIndex;
  walDir?: string;
  walMaxBytes: number;
  /** WAL mode: 0 = each commit on stable storage before it resolves; N = synced within N ms */
  syncEveryMs?: number;
  memoryBytes: number;
  maxSegmentEntries: number;
  lastSeq: () => number;
  losses: ClassCounts;
}

export function createDurableWriter(opts: DurableWriterOptions) {
  const { store, log, index, losses } = opts;
  const wal = opts.walDir ? createWalFile(opts.walDir, {
    syncEveryMs: opts.syncEveryMs,
    onSyncError: (err) => log.error({ err, code: 'OUTBOX_SYNC_FAILED' }, 'outbox: syncing the write-ahead log failed; the latest events may not survive a power cut (the log starts a new file)'),
  }) : null;
  const toDelete = new Set<Segment>();
  const toRewrite = new Set<Segment>();
  let lossesDirty = false;
  /** seqs acked or evicted since the last log append: the log must not bring them back after a crash */
  let gone: number[] = [];
  /** events appended to the log since its last checkpoint */
  let walEvents = 0;
  let checkpointing: Promise<void> | null = null;

  const batch = (ops: LevelOp[], sync: boolean) => store.batch(ops as never, { sync } as never); // classic-level honours `sync`; the abstract type omits it

  /** A segment without its evicted entries; a cold one is read back from disk for that. */
  async function trimmedValue(seg: Segment): Promise<string> {
    const liveSeqs = new Set(seg.entries.filter((e) => e.state !== 'done').map((e) => e.seq));
    if (!seg.cold) return encodeSegment(seg.entries.filter((e) => e.state !== 'done'));
    const value = (await store.get(seg.key, { valueEncoding: 'utf8' } as never)) as string | undefined;
    return encodeSegment(decodeSegment(value ?? '').filter((e) => liveSeqs.has(e.seq)));
  }

  /** Takes the pending deletes and rewrites (and the loss counters) as level ops; the returned undo puts them back. */
  async function bookkeeping(ops: LevelOp[]): Promise<() => void> {
    const dels = [...toDelete];
    const rewrites = [...toRewrite].filter((s) => s.live > 0);
    toDelete.clear();
    toRewrite.clear();
    const writeLosses = lossesDirty;
    lossesDirty = false;
    for (const seg of dels) ops.push({ type: 'del', key: seg.key });
    if (writeLosses) ops.push({ type: 'put', key: META_LOSSES_KEY, value: { ...losses } });
    const undo = () => {
      for (const s of dels) toDelete.add(s);
      for (const s of rewrites) if (s.live > 0) toRewrite.add(s);
      if (writeLosses) lossesDirty = true;
    };
    try {
      for (const seg of rewrites) ops.push({ type: 'put', key: seg.key, value: await trimmedValue(seg), valueEncoding: 'utf8' });
    } catch (err) { undo(); throw err; }
    return undo;
  }

  /** Writes segments into level; afterwards the ones that lost entries meanwhile are deleted or rewritten. */
  async function storeSegments(segs: Segment[], extra: LevelOp[], sync: boolean): Promise<void> {
    const written = new Map<Segment, number>();
    const ops: LevelOp[] = [];
    for (const seg of segs) {
      written.set(seg, seg.live);
      ops.push({ type: 'put', key: seg.key, value: encodeSegment(seg.entries.filter((e) => e.state !== 'done')), valueEncoding: 'utf8' });
    }
    await batch(ops.concat(extra), sync);
    for (const seg of segs) {
      seg.stored = true;
      // acked or evicted while the write was under way: the disk copy still holds those events
      if (seg.live === 0) toDelete.add(seg);
      else if (seg.live < written.get(seg)!) toRewrite.add(seg);
    }
  }

  async function commitLevel(fresh: Segment[]): Promise<void> {
    const extra: LevelOp[] = [];
    const undo = await bookkeeping(extra);
    // only new events (and rewrites that drop evicted ones) need the fsync; a lost delete merely re-sends an event
    const sync = fresh.length > 0 || extra.some((o) => o.type === 'put' && o.key !== META_LOSSES_KEY);
    if (fresh.length > 0) extra.push({ type: 'put', key: META_SEQ_KEY, value: opts.lastSeq() });
    try {
      if (fresh.length > 0 || extra.length > 0) await storeSegments(fresh, extra, sync);
    } catch (err) { undo(); throw err; }
    for (const seg of fresh) index.markPersisted(seg);
  }

  async function commitWal(fresh: Segment[]): Promise<void> {
    const goneNow = gone;
    gone = [];
    const events: OutboxEntry[] = [];
    for (const seg of fresh) for (const e of seg.entries) if (e.state !== 'done') events.push(e);
    try {
      if (goneNow.length > 0 || events.length > 0) await wal!.append(encodeCommit(goneNow, events));
    } catch (err) {
      // frames before a tear may have reached the disk: cancel them in the next append
      gone = goneNow.concat(gone);
      for (const seg of fresh) for (const e of seg.entries) gone.push(e.seq);
      throw err;
    }
    walEvents += events.length;
    for (const seg of fresh) index.markPersisted(seg, false);
  }

  /** Off the enqueue path: deletes and rewrites need no sync (the log, then a checkpoint, covers them). */
  async function tidyLevel(): Promise<void> {
    // the usual case after a commit: its events are acked before they ever reach level
    if (toDelete.size === 0 && toRewrite.size === 0 && !lossesDirty) return;
    const ops: LevelOp[] = [];
    const undo = await bookkeeping(ops);
    if (ops.length === 0) return;
    try { await batch(ops, false); } catch (err) { undo(); throw err; }
  }

  /** The log's live events go into level (synced), then the log's older files go. */
  async function checkpoint(keepFrom: number): Promise<void> {
    const extra: LevelOp[] = [];
    const undo = await bookkeeping(extra);
    extra.push({ type: 'put', key: META_SEQ_KEY, value: opts.lastSeq() }, { type: 'put', key: META_LOSSES_KEY, value: { ...losses } });
    try {
      await storeSegments(index.unstored(), extra, true);
    } catch (err) { undo(); throw err; }
    await wal!.removeOlder(keepFrom);
    index.spill();
  }

  return {
    get walMode() { return wal !== null; },

    apply(changes: IndexChanges): boolean {
      for (const s of changes.deleted) { toDelete.add(s); toRewrite.delete(s); }
      for (const s of changes.trimmed) if (s.live > 0) toRewrite.add(s);
      return changes.deleted.length > 0 || changes.trimmed.length > 0;
    },
    /** An event is gone for good (acked, evicted, refused); returns true when that must reach the disk. */
    forget(seq: number): boolean {
      if (!wal) return false;
      gone.push(seq);
      return true;
    },
    lossChanged(): void { lossesDirty = true; },
    get pending(): boolean { return toDelete.size > 0 || toRewrite.size > 0 || lossesDirty || gone.length > 0; },

    /** Makes the new segments durable (then they may be sent); rejects if they are not. */
    commit(fresh: Segment[]): Promise<void> {
      return wal ? commitWal(fresh) : commitLevel(fresh);
    },

    /** WAL mode, after a commit: tidy level, or start a checkpoint beside later commits (`final`: run it to the end). */
    async after(final: boolean): Promise<void> {
      if (!wal) return;
      try {
        const due = wal.size > opts.walMaxBytes || (index.residentBytes > opts.memoryBytes && walEvents > 0);
        if (final || (due && !checkpointing)) {
          await checkpointing;
          // the rotation is part of the commit sequence: appends after it land in the new file
          const keepFrom = await wal.rotate();
          walEvents = 0;
          checkpointing = checkpoint(keepFrom)
            .catch((err) => log.error({ err }, 'outbox checkpoint failed; the log keeps the events'))
            .finally(() => { checkpointing = null; });
          if (final) await checkpointing;
        } else if (!checkpointing) {
          await tidyLevel();
        }
      } catch (err) {
        log.error({ err }, 'outbox: level bookkeeping failed; retried with the next commit');
      }
    },

    /** Level segments, then (WAL mode) what the log adds to them; a crash's log is folded into level, synced. */
    async read(lastSeq: number): Promise<{ segments: StoredSegment[]; lastSeq: number }> {
      let bad = 0;
      let segments: StoredSegment[] = [];
      for await (const [key, value] of store.iterator({ ...SEGMENT_RANGE, valueEncoding: 'utf8' } as never) as AsyncIterable<[string, string]>) {
        const parsed = parseSegmentKey(key);
        if (!parsed) { bad++; continue; }
        segments.push({ key, ...parsed, events: decodeSegment(value, () => bad++) });
      }
      if (bad > 0) log.warn({ bad }, 'outbox: skipped unreadable records');
      if (!wal) return { segments, lastSeq };
      const replay = await wal.replay();
      if (replay.tornBytes > 0 || replay.unreadable > 0) log.warn({ tornBytes: replay.tornBytes, unreadable: replay.unreadable }, 'outbox: the write-ahead log ends in a torn write (a crash mid-commit); the torn part is ignored');
      if (replay.records.length > 0) {
        const merged = mergeReplay(segments, replay.records, opts.maxSegmentEntries);
        lastSeq = Math.max(lastSeq, merged.maxSeq);
        const ops: LevelOp[] = merged.dels.map((key) => ({ type: 'del', key }));
        for (const s of merged.puts) ops.push({ type: 'put', key: s.key, value: encodeSegment(s.events), valueEncoding: 'utf8' });
        ops.push({ type: 'put', key: META_SEQ_KEY, value: lastSeq });
        await batch(ops, true);
        log.info({ recovered: merged.recovered, dropped: merged.dropped, files: replay.files }, 'outbox: write-ahead log replayed into level');
        segments = merged.segments;
      }
      await wal.removeOlder(await wal.rotate());
      walEvents = 0;
      return { segments, lastSeq };
    },

    readSegment(key: string): Promise<string | undefined> {
      return store.get(key, { valueEncoding: 'utf8' } as never) as Promise<string | undefined>;
    },

    async close(): Promise<void> {
      await checkpointing;
      await wal?.close();
    },
  };
}

export type DurableWriter = ReturnType<typeof createDurableWriter>;
