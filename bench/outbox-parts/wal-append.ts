// The write-ahead log's own append latency beside a plain O_DSYNC append that grows its file, both under the
// disk load a box sees (another writer's synced 4 MiB batches, as level's checkpoints and compactions make),
// one append of each in turn so both meet the same moments of the disk. The outbox's log writes into space
// zeroed ahead of it, so its appends need no journal commit of the file system.
import { closeSync, constants, openSync, write } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { fork } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWalFile } from '../../daemon/outbox/wal-file.js';

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
const summary = (l: number[]) => { const s = [...l].sort((a, b) => a - b); return { p50: +pct(s, 0.5).toFixed(2), p99: +pct(s, 0.99).toFixed(2), p999: +pct(s, 0.999).toFixed(2) }; };

/** A child that writes and syncs 4 MiB files in a loop until killed. */
function diskLoad(dir: string) {
  const code = `const fs=require('fs');const b=Buffer.alloc(1<<20,1);let n=0;setInterval(()=>{const fd=fs.openSync(${JSON.stringify(dir)}+'/load'+(n++%4),'w');for(let i=0;i<4;i++)fs.writeSync(fd,b);fs.fdatasyncSync(fd);fs.closeSync(fd)},50)`;
  return fork('-e', [code], { execArgv: [], stdio: 'ignore' } as never);
}

export async function walAppendLatency(o: { appends?: number; bytes?: number; load?: boolean } = {}) {
  const { appends = 3000, bytes = 2048 } = o;
  const dir = await mkdtemp(join(tmpdir(), 'kefu-wal-append-'));
  const load = o.load === false ? null : diskLoad(dir);
  try {
    const wal = createWalFile(join(dir, 'wal'));
    await wal.replay();
    await wal.rotate();
    const plainFd = openSync(join(dir, 'plain.log'), constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | constants.O_DSYNC);
    const frames = Buffer.alloc(bytes, 7);
    frames.writeUInt32LE(bytes - 8, 0); // never a zero length (zeros end the log)
    const walMs: number[] = [];
    const plainMs: number[] = [];
    await new Promise((r) => setTimeout(r, 200)); // the load running, the first zeroed chunk written
    for (let i = 0; i < appends; i++) {
      let s = performance.now();
      await wal.append(frames);
      walMs.push(performance.now() - s);
      s = performance.now();
      await new Promise<void>((res, rej) => write(plainFd, frames, (e) => (e ? rej(e) : res())));
      plainMs.push(performance.now() - s);
    }
    closeSync(plainFd);
    await wal.close();
    return { appends, bytes, load: load !== null, wal: summary(walMs), plain: summary(plainMs) };
  } finally {
    load?.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
}
