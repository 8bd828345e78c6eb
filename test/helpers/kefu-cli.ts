// Runs the `kefu` CLI once as a child process and returns its exit code and output, whatever the code (no
// KEFU_CONFIG from the caller's environment, so a test's config discovery is its own).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { KEFU } from './kefu-up.js';

const run = promisify(execFile);

export async function kefuRun(args: string[], cwd?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env };
  delete env.KEFU_CONFIG;
  try {
    const r = await run(process.execPath, [KEFU, ...args], { cwd, env, timeout: 60_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
