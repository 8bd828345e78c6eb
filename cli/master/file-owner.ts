// Handing files made as root to the service user that reads them (Mosquitto, kefu-master): both drop or never
// have root, so a 0600 root file is unreadable to them. Uses chown(1), which resolves `user[:group]` names.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { KefuError } from '../../protocol/errors.js';

const run = promisify(execFile);

export async function chownFiles(owner: string, files: string[]): Promise<void> {
  if (!files.length) return;
  try {
    await run('chown', [owner, ...files], { timeout: 10_000 });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new KefuError('CHOWN_FAILED', `chown ${owner} failed: ${(e.stderr ?? e.message).trim().split('\n')[0]} (run as root, or chown the files yourself)`);
  }
}

/** `kefu-master` → user only; `root:kefu-master` or `kefu-master:` → a group is given too */
export const ownerHasGroup = (owner: string): boolean => owner.includes(':');
