// The outbox's write-ahead log on disk: numbered files `wal-<gen>.log` in one folder, one of them open for
// appends. The file is opened with O_DSYNC, so a write returns only when its data is on stable storage: one
// thread-pool round trip per group commit instead of write + fdatasync. Each file is read on its own up to its
// first torn frame, so a tear (a crash mid-write, a failed write) never hides the records of later files.
import { constants, promises as fsp } from 'node:fs';
import { close, open, write } from 'node:fs';
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
const writeAsync = (fd: number, buf: Buffer) => new Promise<number>((res, rej) => write(fd, buf, 0, buf.length, null, (e, n) => (e ? rej(e) : res(n))));

export function createWalFile(dir: string) {
  let fd: number | null = null;
  let gen = 0;
  let size = 0;
  /** a write failed part-way: the tail of the current file is torn, so the next append starts a new file */
  let broken = false;

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
    const next = await openAsync(join(dir, fileName(gen)), constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | constants.O_DSYNC);
    await syncDir();
    fd = next;
    size = 0;
    broken = false;
    if (old !== null) await closeAsync(old).catch(() => undefined);
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
        out.tornBytes += buf.length - good;
        out.unreadable += unreadable;
        gen = Math.max(gen, g);
      }
      return out;
    },

    /** Starts a fresh file for appends; the older files stay until removeOlder(). */
    async rotate(): Promise<number> {
      await openNext();
      return gen;
    },

    /** Deletes every file older than `keepFrom` (their records are safe in level by now). */
    async removeOlder(keepFrom: number): Promise<void> {
      for (const g of await gens()) if (g < keepFrom) await fsp.rm(join(dir, fileName(g)), { force: true });
    },

    /** Appends framed records; resolves when they are on stable storage (O_DSYNC). */
    async append(frames: Buffer): Promise<void> {
      if (fd === null) throw new Error('the write-ahead log is not open');
      if (broken) await openNext();
      const total = frames.length;
      let written: number;
      try {
        written = await writeAsync(fd!, frames);
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
    },

    async close(): Promise<void> {
      const f = fd;
      fd = null;
      if (f !== null) await closeAsync(f);
    },
  };
}

export type WalFile = ReturnType<typeof createWalFile>;
