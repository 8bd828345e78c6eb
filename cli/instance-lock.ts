// One running instance per data folder: a pid file taken with O_EXCL before anything opens the folder, so a
// second `kefu up` / `kefu start` refuses at once instead of failing halfway through (a locked store) and
// tearing down files the running instance owns (master.json). A pid file whose process is gone is stale.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { KefuError } from '../protocol/errors.js';

export const LOCK_FILE = 'kefu.pid';

export interface InstanceLock { readonly file: string; release(): void }

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // after a reboot or a kill -9 the number may belong to an unrelated process now: a kefu runs on node
  try {
    return /node|kefu/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return true; // no /proc to ask: trust the signal
  }
}

/** The pid of the live process holding `dir`, if any. */
export function lockHolder(dir: string): number | undefined {
  let pid: number;
  try { pid = Number.parseInt(readFileSync(join(dir, LOCK_FILE), 'utf8'), 10); } catch { return undefined; }
  return Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid) ? pid : undefined;
}

/** The error for a daemon's data folder held by another process (pid when known). */
export function dataDirInUse(dir: string, pid?: number, file?: string): KefuError {
  const by = pid === undefined ? 'a running daemon' : `the running daemon (pid ${pid})`;
  const other = file ? `set dataDir in ${shortPath(file)} to another folder` : 'use another dataDir';
  return new KefuError('DATA_DIR_IN_USE', `data folder ${shortPath(dir)} is in use by ${by}; stop it first, or ${other}`, { dir, ...(pid ? { pid } : {}) });
}

/** The error for a master's data folder held by another master (`kefu master run` or `kefu up`'s). */
export function masterAlreadyRunning(dir: string, pid: number, other = 'give this one another dataDir'): KefuError {
  return new KefuError('ALREADY_RUNNING', `a master is already running on data folder ${shortPath(dir)} (pid ${pid}); stop it first, or ${other}`, { pid, dir });
}

export function shortPath(dir: string): string {
  const rel = relative(process.cwd(), dir);
  return rel && !rel.startsWith('..') ? `./${rel}` : dir;
}

/** Takes `dir/kefu.pid` for this process or throws the error `refuse` makes of the live holder's pid. */
export function acquireInstanceLock(dir: string, refuse: (pid: number, dir: string) => KefuError): InstanceLock {
  const file = join(dir, LOCK_FILE);
  mkdirSync(dir, { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx', mode: 0o644 });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
      const pid = lockHolder(dir);
      if (pid !== undefined) throw refuse(pid, dir);
      rmSync(file, { force: true }); // stale: its process is gone
    }
  }
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    try {
      if (readFileSync(file, 'utf8').trim() === String(process.pid)) rmSync(file, { force: true });
    } catch { /* already gone */ }
  };
  process.once('exit', release);
  return { file, release: () => { process.off('exit', release); release(); } };
}
