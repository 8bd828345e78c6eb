// Starts socat with a linked pty pair (ttyModem ↔ ttySim) and waits until both links exist; stop() kills it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface PtyPair {
  modemPath: string;
  simPath: string;
  readonly alive: boolean;
  /** kills socat (the modem "vanishes"); resolves when it has exited */
  stop(): Promise<void>;
}

export async function startPtyPair(dir: string, modemName = 'ttyModem', simName = 'ttySim', timeoutMs = 5000): Promise<PtyPair> {
  const modemPath = join(dir, modemName);
  const simPath = join(dir, simName);
  let proc: ChildProcess;
  try {
    proc = spawn('socat', [`pty,raw,echo=0,link=${modemPath}`, `pty,raw,echo=0,link=${simPath}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    throw new Error(`socat is required for the modem simulator (apt-get install socat): ${(e as Error).message}`);
  }
  let exited = false;
  let stderr = '';
  proc.stderr?.on('data', (b: Buffer) => { stderr += b.toString(); });
  const exitPromise = new Promise<void>((res) => proc.once('exit', () => { exited = true; res(); }));
  proc.once('error', (e) => { stderr += String(e); });
  const deadline = Date.now() + timeoutMs;
  while (!(existsSync(modemPath) && existsSync(simPath))) {
    if (exited || Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`socat did not create ${modemPath} and ${simPath} (is socat installed?): ${stderr.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return {
    modemPath, simPath,
    get alive() { return !exited; },
    async stop() {
      if (exited) return;
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 1000);
      await exitPromise;
      clearTimeout(t);
    },
  };
}
