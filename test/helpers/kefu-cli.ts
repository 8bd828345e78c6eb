// Runs the `kefu` CLI once as a child process and returns its exit code and output, whatever the code. The
// caller's KEFU_CONFIG is dropped, so a test's config discovery is its own (`env` may set one).
import { execFile } from 'node:child_process';
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
