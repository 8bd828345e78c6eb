// A real Mosquitto for tests. Two uses share this one helper:
// - broker contract / external-broker tests: a password file (mosquitto_passwd -b, or ready-made lines) and an
//   ACL file generated from the master's policy, on a free loopback port;
// - namespace tests: a listener on the broker address inside a network namespace (anonymous, no ACL).
// There is always a unix socket listener too: it is reachable from any namespace, so readiness is checked on it.
// stop() kills the broker; a temp dir it made itself is removed.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const MOSQUITTO = process.env.KEFU_MOSQUITTO ?? '/usr/sbin/mosquitto';
export const MOSQUITTO_PASSWD = process.env.KEFU_MOSQUITTO_PASSWD ?? '/usr/bin/mosquitto_passwd';

export interface MosquittoOptions {
  /** where config and sockets go (default: a new temp dir, removed on stop) */
  dir?: string;
  /** run inside this network namespace (`ip netns exec`) */
  ns?: string;
  /** TCP listener (default 127.0.0.1 and a free port) */
  host?: string;
  port?: number;
  /** username → password, written with `mosquitto_passwd -b` */
  users?: Record<string, string>;
  /** ready-made password-file lines (`user:$7$…`), e.g. from `kefu master acl --mosquitto` */
  passwordLines?: string[];
  /** ACL file content; with `users`/`passwordLines` anonymous clients are refused, without them allowed */
  acl?: string;
  /** extra mosquitto.conf lines */
  conf?: string[];
}

export interface Mosquitto {
  proc: ChildProcess;
  socketPath: string;
  url: string;
  port: number;
  dir: string;
  log(): string;
  stop(): Promise<void>;
}
export type MosquittoBroker = Mosquitto;

/** a TCP port free on loopback right now (for a broker that cannot listen on port 0 and report it) */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const canConnect = (path: string) => new Promise<boolean>((resolve) => {
  const s = net.connect(path);
  s.once('connect', () => { s.destroy(); resolve(true); });
  s.once('error', () => resolve(false));
});

async function launch(o: MosquittoOptions, dir: string, port: number): Promise<Mosquitto> {
  const socketPath = join(dir, 'mosquitto.sock');
  const secured = Boolean(o.users || o.passwordLines || o.acl);
  const conf = [
    // as root mosquitto would switch to the 'mosquitto' user, who cannot read a private temp dir
    ...(process.getuid?.() === 0 ? ['user root'] : []),
    'per_listener_settings false', `allow_anonymous ${secured ? 'false' : 'true'}`, 'persistence false',
    'log_dest stderr', 'log_type error', 'log_type warning', 'max_inflight_messages 100', 'max_queued_messages 100000',
    ...(secured ? [`password_file ${join(dir, 'passwd')}`, `acl_file ${join(dir, 'acl')}`] : []),
    `listener ${port} ${o.host ?? '127.0.0.1'}`, `listener 0 ${socketPath}`, ...(o.conf ?? []), '',
  ];
  await writeFile(join(dir, 'mosquitto.conf'), conf.join('\n'));
  const args = [MOSQUITTO, '-c', join(dir, 'mosquitto.conf')];
  const proc = o.ns ? spawn('ip', ['netns', 'exec', o.ns, ...args], { stdio: ['ignore', 'ignore', 'pipe'] }) : spawn(args[0], args.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  proc.stderr?.on('data', (b) => { output += b; });
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`mosquitto exited: ${output.trim().split('\n').slice(-5).join(' | ')}`);
    if (await canConnect(socketPath)) break;
    if (Date.now() > deadline) { proc.kill('SIGKILL'); throw new Error(`mosquitto did not start: ${output}`); }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    proc, socketPath, port, dir, url: `mqtt://${o.host ?? '127.0.0.1'}:${port}`, log: () => output,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      const killer = setTimeout(() => proc.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(killer);
    },
  };
}

export async function startMosquitto(o: MosquittoOptions = {}): Promise<Mosquitto> {
  for (const bin of [MOSQUITTO, MOSQUITTO_PASSWD]) {
    if (!existsSync(bin)) throw new Error(`${bin} not found: install the Debian package 'mosquitto' (npm test does it as root)`);
  }
  const ownDir = !o.dir;
  const dir = o.dir ?? (await mkdtemp(join(tmpdir(), 'kefu-mosquitto-')));
  const cleanup = () => (ownDir ? rm(dir, { recursive: true, force: true }) : Promise.resolve());
  try {
    if (o.users || o.passwordLines || o.acl) {
      const passwd = join(dir, 'passwd');
      await writeFile(passwd, '', { mode: 0o600 });
      for (const [user, password] of Object.entries(o.users ?? {})) await run(MOSQUITTO_PASSWD, ['-b', passwd, user, password]);
      if (o.passwordLines?.length) await appendFile(passwd, `${o.passwordLines.join('\n')}\n`);
      await writeFile(join(dir, 'acl'), o.acl ?? '', { mode: 0o600 });
    }
    // a free port can be taken between the probe and mosquitto's bind: try a few
    for (let attempt = 0; ; attempt++) {
      try {
        const m = await launch(o, dir, o.port ?? (await freePort()));
        const stop = m.stop;
        return { ...m, stop: async () => { await stop(); await cleanup(); } };
      } catch (err) {
        if (o.port !== undefined || attempt >= 2) throw err;
      }
    }
  } catch (err) {
    await cleanup();
    throw err;
  }
}
