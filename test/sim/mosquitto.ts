// A real Mosquitto for the namespace tests: TCP listener on the broker address inside the master namespace,
// plus a unix socket (namespace-independent) so the test process itself can subscribe.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';

export interface Mosquitto { proc: ChildProcess; socketPath: string; stop(): Promise<void> }

export async function startMosquitto(o: { dir: string; ns?: string; host: string; port: number }): Promise<Mosquitto> {
  const socketPath = join(o.dir, 'mosquitto.sock');
  const conf = join(o.dir, 'mosquitto.conf');
  await writeFile(conf, [
    ...(process.getuid?.() === 0 ? ['user root'] : []), 'per_listener_settings false', 'allow_anonymous true', 'persistence false', 'log_dest stderr', 'log_type error',
    'max_inflight_messages 100', 'max_queued_messages 100000',
    `listener ${o.port} ${o.host}`, `listener 0 ${socketPath}`, '',
  ].join('\n'));
  const args = ['mosquitto', '-c', conf];
  const proc = o.ns ? spawn('ip', ['netns', 'exec', o.ns, ...args], { stdio: ['ignore', 'ignore', 'pipe'] }) : spawn(args[0], args.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (b) => { stderr += b; });
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`mosquitto exited: ${stderr}`);
    const ok = await new Promise<boolean>((res) => { const s = net.connect(socketPath); s.once('connect', () => { s.destroy(); res(true); }); s.once('error', () => res(false)); });
    if (ok) break;
    if (Date.now() > deadline) { proc.kill(); throw new Error(`mosquitto did not start: ${stderr}`); }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    proc, socketPath,
    async stop() {
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    },
  };
}
