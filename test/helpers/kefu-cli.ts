// Runs the `kefu` CLI once as a child process and returns its exit code and output, whatever the code. The
// caller's KEFU_CONFIG is dropped, so a test's config discovery is its own (`env` may set one).
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { KEFU } from './kefu-up.js';

const run = promisify(execFile);

export async function kefuRun(args: string[], cwd?: string, o: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env };
  delete env.KEFU_CONFIG;
  try {
    const r = await run(process.execPath, [KEFU, ...args], { cwd, env: { ...env, ...o.env }, timeout: o.timeoutMs ?? 60_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Starts the `kefu` CLI as a long-running child (a master, a daemon); it is killed after the test if still up. */
export function kefuSpawn(t: { after(fn: () => unknown): void }, args: string[], env: NodeJS.ProcessEnv = {}) {
  const proc = spawn(process.execPath, [KEFU, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  t.after(async () => { if (proc.exitCode === null) { proc.kill('SIGKILL'); await exited; } });
  const out = { stdout: '', stderr: '' };
  proc.stdout!.on('data', (b) => { out.stdout += b; });
  proc.stderr!.on('data', (b) => { out.stderr += b; });
  return { proc, exited, out };
}
