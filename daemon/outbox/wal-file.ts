// The outbox's write-ahead log on disk: numbered files `wal-<gen>.log` in one folder, one of them open for
// appends. Each file is read on its own up to its first torn frame, so a tear (a crash mid-write, a failed write,
// a power cut before the data was synced) never hides the records of later files.
// Two ways to sync (`syncEveryMs`):
// - 0: the file is opened with O_DSYNC, so a write returns only when its data is on stable storage (one thread-pool
//   round trip per group commit instead of write + fdatasync). Every append waits for the disk.
// - N: a write returns once the OS has the data (a crash or kill of the daemon loses nothing) and an fdatasync
//   follows within N ms (a power cut loses at most the last N ms): appends no longer wait for the disk.
//
// Zeroed space is kept ahead of the appends, written and synced off the commit path: an O_DSYNC write into
// blocks that are already allocated and written needs only its data flushed, while one that grows the file
// also waits for a journal commit (size, extents) that every other synced write on the disk (level's
// checkpoints, other programs) queues for too. Zeros read as the end of the log.
import { constants, promises as fsp } from 'node:fs';
import { close, fdatasync, open, write } from 'node:fs';
import { join } from 'node:path';
import { decodeLog, type WalRecord } from './wal-codec.js';

const NAME = /^wal-(\d{16})\.log$/;
const fileName = (gen: number) => `wal-${String(gen).padStart(16, '0')}.log`;

export interface WalReplay {
  records: WalRecord[];
  /** files found, oldest first */
  files: number;
  /** bytes after the first torn or corrupt frame, summed over the files (a crash mid-write leaves some) */
  tornBytes: number;
  /** frames that passed the CRC but did not decode */
  unreadable: number;
}

const openAsync = (path: string, flags: number) => new Promise<number>((res, rej) => open(path, flags, 0o600, (e, fd) => (e ? rej(e) : res(fd))));
const closeAsync = (fd: number) => new Promise<void>((res, rej) => close(fd, (e) => (e ? rej(e) : res())));
const writeAsync = (fd: number, buf: Buffer, at: number) => new Promise<number>((res, rej) => write(fd, buf, 0, buf.length, at, (e, n) => (e ? rej(e) : res(n))));
const syncAsync = (fd: number) => new Promise<void>((res, rej) => fdatasync(fd, (e) => (e ? rej(e) : res())));

export interface WalFileOptions {
  /** 0: every append is on stable storage when it returns (O_DSYNC); N: appends are synced within N ms */
  syncEveryMs?: number;
  /** a deferred sync failed: what was appended since the last good one may not survive a power cut */
  onSyncError?: (err: Error) => void;
}

/** zeroed bytes written ahead at a time, and the lead below which the next chunk is started */
const AHEAD_CHUNK = 1024 * 1024;
const AHEAD_LOW = 512 * 1024;
const ZEROS = Buffer.alloc(AHEAD_CHUNK);

/** Bytes after the trusted prefix that are not zero: what a tear left (zeros are space written ahead). */
export function tornBytes(buf: Buffer, good: number): number {
  let end = buf.length;
  while (end > good && buf[end - 1] === 0) end--;
  return end - good;
}

export function createWalFile(dir: string, opts: WalFileOptions = {}) {
  const syncEveryMs = opts.syncEveryMs ?? 0;
  let fd: number | null = null;
  let gen = 0;
  /** bytes appended since the last rotate() */
  let size = 0;
  /** where the next append goes in the current file */
  let offset = 0;
  /** the current file is zeroed (and synced) up to here */
  let zeroedTo = 0;
  /** the zeroing under way, over [from, from + AHEAD_CHUNK) of the current file */
  let zeroing: { from: number; done: Promise<void> } | null = null;
  /** zeroing failed in this file (a full disk): its appends grow it instead */
  let zeroFailed = false;
  /** a write failed part-way: the tail of the current file is torn, so the next append starts a new file */
  let broken = false;
  /** deferred sync (syncEveryMs > 0): the timer of the next one, and the one under way */
  let syncTimer: NodeJS.Timeout | null = null;
  let syncing: Promise<void> | null = null;

  /** Syncs `f` now (deferred mode); a failure is reported and the next append starts a new file. */
  function syncNow(f: number): Promise<void> {
    if (syncTimer) { clearTimeout(syncTimer); syncTimer = null; }
    const done = syncAsync(f).catch((err: Error) => { if (fd === f) broken = true; opts.onSyncError?.(err); });
    syncing = done.finally(() => { if (syncing === done) syncing = null; });
    return done;
  }

  function syncSoon(): void {
    if (syncTimer || fd === null) return;
    const f = fd;
    syncTimer = setTimeout(() => { syncTimer = null; void syncNow(f); }, syncEveryMs);
    syncTimer.unref();
  }

  /** Deferred mode: what the file holds reaches stable storage before it is closed. */
  async function syncBeforeClose(f: number): Promise<void> {
    await syncing;
    await syncNow(f);
  }

  /** Starts zeroing the next chunk when the appends come near the zeroed end. Best effort: without it an append
   * simply grows the file (a full disk, say). */
  function zeroAhead(): void {
    if (fd === null || zeroing || zeroFailed || zeroedTo - offset >= AHEAD_LOW) return;
    const f = fd;
    const from = Math.max(zeroedTo, offset);
    const done = writeAsync(f, ZEROS, from)
      .then((n) => { if (n < AHEAD_CHUNK) throw new Error('short'); if (fd === f) zeroedTo = from + n; })
      .catch(() => { if (fd === f) zeroFailed = true; })
      .finally(() => { zeroing = null; if (fd === f) zeroAhead(); });
    zeroing = { from, done };
  }

  async function gens(): Promise<number[]> {
    const names = await fsp.readdir(dir).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? [] : Promise.reject(err)));
    return names.map((n) => NAME.exec(n)).filter((m): m is RegExpExecArray => m !== null).map((m) => Number(m[1])).sort((a, b) => a - b);
  }

  /** A new file's name must survive a power cut too, not only its contents. */
  async function syncDir(): Promise<void> {
    const d = await fsp.open(dir, 'r');
    try { await d.sync(); } finally { await d.close(); }
  }

  async function openNext(): Promise<void> {
    const old = fd;
    gen++;
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (syncEveryMs === 0 ? constants.O_DSYNC : 0);
    const next = await openAsync(join(dir, fileName(gen)), flags);
    await syncDir();
    await zeroing?.done; // the old file's zeroing must not write after its close
    if (old !== null && syncEveryMs > 0) await syncBeforeClose(old);
    fd = next;
    offset = 0;
    zeroedTo = 0;
    zeroFailed = false;
    broken = false;
    if (old !== null) await closeAsync(old).catch(() => undefined);
    zeroAhead();
  }

  return {
    get size() { return size; },
    get generation() { return gen; },

    /** Reads every file left by the last run (oldest first). Nothing is written. */
    async replay(): Promise<WalReplay> {
      await fsp.mkdir(dir, { recursive: true });
      const found = await gens();
      const out: WalReplay = { records: [], files: found.length, tornBytes: 0, unreadable: 0 };
      for (const g of found) {
        const buf = await fsp.readFile(join(dir, fileName(g)));
        const { records, good, unreadable } = decodeLog(buf);
        for (const r of records) out.records.push(r);
        out.tornBytes += tornBytes(buf, good);
        out.unreadable += unreadable;
        gen = Math.max(gen, g);
      }
      return out;
    },

    /** Starts a fresh file for appends; the older files stay until removeOlder(). */
    async rotate(): Promise<number> {
      await openNext();
      size = 0;
      return gen;
    },

    /** Deletes every file older than `keepFrom` (their records are safe in level by now). */
    async removeOlder(keepFrom: number): Promise<void> {
      for (const g of await gens()) if (g < keepFrom) await fsp.rm(join(dir, fileName(g)), { force: true });
    },

    /** Appends framed records; resolves when they are on stable storage (O_DSYNC), or with syncEveryMs > 0 when the
     * OS has them (synced within syncEveryMs). */
    async append(frames: Buffer): Promise<void> {
      if (fd === null) throw new Error('the write-ahead log is not open');
      if (broken) await openNext();
      const total = frames.length;
      // never write where zeros are still being written
      if (zeroing && offset + total > zeroing.from) await zeroing.done;
      let written: number;
      try {
        written = await writeAsync(fd!, frames, offset);
      } catch (err) {
        broken = true;
        throw err;
      }
      if (written !== total) {
        // a short write (disk full) leaves a torn frame; later frames in this file would never be read back
        broken = true;
        throw new Error(`short write to the write-ahead log (${written} of ${total} bytes)`);
      }
      size += total;
      offset += total;
      zeroAhead();
      if (syncEveryMs > 0) syncSoon();
    },

    async close(): Promise<void> {
      await zeroing?.done;
      const f = fd;
      if (f !== null && syncEveryMs > 0) await syncBeforeClose(f);
      fd = null;
      if (f !== null) await closeAsync(f);
    },
  };
}

export type WalFile = ReturnType<typeof createWalFile>;
