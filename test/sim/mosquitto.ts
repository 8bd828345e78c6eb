// A real Mosquitto for tests: a private config, password file (mosquitto_passwd -b) and ACL file in a temp
// dir, listening on a free loopback port. stop() kills it and removes the dir.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const MOSQUITTO = process.env.KEFU_MOSQUITTO ?? '/usr/sbin/mosquitto';
export const MOSQUITTO_PASSWD = process.env.KEFU_MOSQUITTO_PASSWD ?? '/usr/bin/mosquitto_passwd';

export interface MosquittoOptions {
  /** username → password, written with `mosquitto_passwd -b` */
  users?: Record<string, string>;
  /** ready-made password-file lines (`user:$7$…`), e.g. from `kefu master acl --mosquitto` */
  passwordLines?: string[];
  /** the ACL file content */
  acl: string;
  /** extra mosquitto.conf lines */
  conf?: string[];
}

export interface MosquittoBroker { url: string; port: number; dir: string; log(): string; stop(): Promise<void> }

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host: '127.0.0.1', port }, () => { sock.destroy(); resolve(true); });
    sock.on('error', () => resolve(false));
  });
}

export async function startMosquitto(opts: MosquittoOptions): Promise<MosquittoBroker> {
  for (const bin of [MOSQUITTO, MOSQUITTO_PASSWD]) {
    if (!existsSync(bin)) throw new Error(`${bin} not found: install the Debian package 'mosquitto' (npm test does it as root)`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'kefu-mosquitto-'));
  let child: ChildProcess | null = null;
  let output = '';
  try {
    const passwd = join(dir, 'passwd');
    await writeFile(passwd, '', { mode: 0o600 });
    for (const [user, password] of Object.entries(opts.users ?? {})) await run(MOSQUITTO_PASSWD, ['-b', passwd, user, password]);
    if (opts.passwordLines?.length) await appendFile(passwd, `${opts.passwordLines.join('\n')}\n`);
    await writeFile(join(dir, 'acl'), opts.acl, { mode: 0o600 });
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const conf = [
        'per_listener_settings false', 'allow_anonymous false', `password_file ${passwd}`, `acl_file ${join(dir, 'acl')}`,
        'persistence false', 'log_dest stderr', 'log_type error', 'log_type warning', 'log_type notice',
        // as root mosquitto would switch to the 'mosquitto' user, who cannot read our private temp dir
        ...(process.getuid?.() === 0 ? ['user root'] : []),
        `listener ${port} 127.0.0.1`, ...(opts.conf ?? []),
      ];
      await writeFile(join(dir, 'mosquitto.conf'), `${conf.join('\n')}\n`);
      const proc = spawn(MOSQUITTO, ['-c', join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
      child = proc;
      proc.stdout!.on('data', (d) => { output += d; });
      proc.stderr!.on('data', (d) => { output += d; });
      let exited = false;
      proc.once('exit', () => { exited = true; });
      const end = Date.now() + 10_000;
      while (!exited && Date.now() < end && !(await canConnect(port))) await new Promise((r) => setTimeout(r, 50));
      if (!exited && (await canConnect(port))) {
        const stop = async () => {
          if (proc.exitCode === null && proc.signalCode === null) {
            const gone = new Promise((r) => proc.once('exit', r));
            proc.kill('SIGTERM');
            const killer = setTimeout(() => proc.kill('SIGKILL'), 3000);
            await gone;
            clearTimeout(killer);
          }
          await rm(dir, { recursive: true, force: true });
        };
        return { url: `mqtt://127.0.0.1:${port}`, port, dir, log: () => output, stop };
      }
      proc.kill('SIGKILL');
      child = null;
    }
    throw new Error(`mosquitto did not start: ${output.trim().split('\n').slice(-5).join(' | ')}`);
  } catch (err) {
    child?.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
