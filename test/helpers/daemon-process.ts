// Runs the real box daemon (`kefu start`) as a child process with a generated config, for contract and e2e tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { controlRequest } from '../../daemon/control/client.js';

export const KEFU_BIN = join(import.meta.dirname, '..', '..', 'cli', 'bin.js');
const START_TIMEOUT_MS = 90_000;

export interface DaemonProcess {
  readonly dataDir: string;
  readonly configFile: string;
  readonly child: ChildProcess;
  control<T = unknown>(method: string, params?: unknown): Promise<T>;
  /** SIGTERM and wait; returns the exit code */
  stop(): Promise<number | null>;
  kill9(): Promise<void>;
}

export async function writeBoxConfig(dir: string, o: { box: string; region: string; url: string; password: string; extra?: Record<string, unknown> }): Promise<string> {
  const secret = join(dir, 'box.secret');
  await writeFile(secret, `${o.password}\n`, { mode: 0o600 });
  const file = join(dir, 'kefu.yaml');
  await writeFile(file, stringify({
    box: { id: o.box, region: o.region },
    master: { url: o.url, username: o.box, passwordFile: secret, keepaliveSeconds: 2 },
    dataDir: join(dir, 'data'),
    log: { level: 'warn' },
    http: { host: '127.0.0.1', port: 0 },
    transports: [{ id: 'eth', kind: 'wired', localAddress: '127.0.0.1' }],
    failover: { probe: { intervalMs: 250 } },
    ...o.extra,
  }));
  return file;
}

export async function startDaemon(configFile: string, dataDir: string): Promise<DaemonProcess> {
  const child = spawn(process.execPath, [KEFU_BIN, 'start', '-c', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += d; });
  const control = <T>(method: string, params?: unknown) => controlRequest<T>(dataDir, method, params, 5000);
  // a start from the sources (tsx compiles them: a worktree whose dist/ is stale) on a loaded machine took over
  // 30 s; the former 150 polls (~15-30 s) were too few
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`daemon exited with ${child.exitCode}: ${stderr.slice(-2000)}`);
    if (await control('status').then(() => true, () => false)) break;
    if (Date.now() - started > START_TIMEOUT_MS) { child.kill('SIGKILL'); throw new Error(`daemon did not answer on its control socket within ${START_TIMEOUT_MS / 1000} s: ${stderr.slice(-2000)}`); }
    await sleep(100);
  }
  // a process killed by a signal keeps exitCode null: signalCode tells it has gone
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  return {
    dataDir, configFile, child, control,
    async stop() {
      if (exited()) return child.exitCode;
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      return code as number | null;
    },
    async kill9() {
      if (exited()) return;
      child.kill('SIGKILL');
      await once(child, 'exit');
    },
  };
}
