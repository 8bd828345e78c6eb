// The box's own checks: data folder, store, credentials, clock, HTTP port. The master link is broker-checks.ts.
import { access, constants, mkdir, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { controlRequest } from '../control/client.js';
import type { LoadedConfig } from '../config/load.js';
import { readSecret } from '../secrets.js';
import type { DaemonStatus } from '../status.js';
import { createRootStore } from '../store.js';
import type { Check } from './check.js';

/** The earliest plausible date: a clock before it was never set (no RTC battery, no NTP). */
const CLOCK_FLOOR = Date.parse('2026-01-01T00:00:00Z');

export function boxChecks(config: LoadedConfig): Check[] {
  const { root } = config;
  // the daemon that answers on this data folder's control socket, whichever config it was started with
  const running = controlRequest<DaemonStatus>(root.dataDir, 'status', undefined, 1500).catch(() => null);
  const whose = (s: DaemonStatus) => `the running daemon of box ${s.box.region}/${s.box.id}`;
  return [
    {
      name: 'data folder',
      async run() {
        await mkdir(root.dataDir, { recursive: true }).catch(() => undefined);
        try {
          await access(root.dataDir, constants.W_OK);
          return { ok: true, detail: `${root.dataDir} is writable` };
        } catch {
          return { ok: false, detail: `${root.dataDir} is not writable`, fix: `create it and give the kefu user write access: mkdir -p ${root.dataDir} && chown kefu ${root.dataDir}` };
        }
      },
    },
    {
      name: 'store',
      async run() {
        const daemon = await running;
        if (daemon && daemon.box.id !== root.box.id) {
          return { ok: false, detail: `${root.dataDir} is in use by ${whose(daemon)}, not ${root.box.id}`, fix: 'give each box config its own dataDir' };
        }
        if (daemon) return { ok: true, detail: `in use by ${whose(daemon)}` };
        const db = createRootStore(`${root.dataDir}/store`);
        try {
          await db.open();
          await db.close();
          return { ok: true, detail: 'opens and closes cleanly' };
        } catch (err) {
          return { ok: false, detail: (err as Error).message, fix: 'another process may hold the store, or it is corrupt: stop other kefu processes; restore from backup if it stays corrupt' };
        }
      },
    },
    {
      name: 'master credentials',
      async run() {
        if (!root.master.passwordFile) return { ok: true, detail: 'no password file configured (broker allows anonymous or uses certificates)' };
        try {
          const password = await readSecret(root.master.passwordFile, 'master.passwordFile');
          if (password === '') return { ok: false, detail: `master.passwordFile: ${root.master.passwordFile} is empty`, fix: `write the box password (printed once by \`kefu master box add ${root.box.id} --region ${root.box.region}\` on the master) to ${root.master.passwordFile}` };
          if (!root.master.username) return { ok: false, detail: 'master.passwordFile is set but master.username is not: the daemon refuses a password without a user name', fix: `set master.username (the box id the master knows: ${root.box.id})` };
          const s = await stat(root.master.passwordFile);
          const file = root.master.passwordFile;
          if (s.mode & 0o007) return { ok: false, detail: `${file} is readable by every user`, fix: `chmod o-rwx ${file}` };
          // group-readable is how the install shares it (root:kefu 0640); any other group is too wide
          if (s.mode & 0o070 && s.gid !== process.getgid?.()) return { ok: false, detail: `${file} is readable by group ${s.gid}, not the daemon's own`, fix: `chgrp kefu ${file} (the daemon's group) or chmod 600 ${file}` };
          return { ok: true, detail: `${file} is readable and private` };
        } catch (err) {
          return { ok: false, detail: (err as Error).message, fix: `write the box password (from \`kefu master box add ${root.box.id}\`) to ${root.master.passwordFile}` };
        }
      },
    },
    {
      name: 'clock',
      async run() {
        const now = Date.now();
        if (now < CLOCK_FLOOR) return { ok: false, detail: `system clock says ${new Date(now).toISOString()}`, fix: 'set the clock (NTP: install chrony or systemd-timesyncd); TLS and event times need it' };
        return { ok: true, detail: `${new Date(now).toISOString()} (${Intl.DateTimeFormat().resolvedOptions().timeZone})` };
      },
    },
    {
      name: 'http port',
      async run() {
        const { port, host } = root.http;
        const daemon = await running;
        const at = daemon ? new URL(daemon.httpUrl) : undefined;
        const daemonPort = at ? Number(at.port) : undefined;
        // the daemon writes `localhost` for a wildcard address; a specific one only collides with the same one
        const sameAddress = !at || at.hostname === 'localhost' || host === '0.0.0.0' || host === '::' || at.hostname === host;
        if (daemon && ((daemonPort === port && sameAddress) || port === 0)) return { ok: true, detail: `port ${daemonPort} is ${whose(daemon)}'s (${daemon.httpUrl})` };
        if (port === 0) return { ok: true, detail: 'port 0: the daemon takes any free port' };
        const elsewhere = daemon ? ` (${whose(daemon)} listens on ${daemonPort})` : '';
        return new Promise((resolve) => {
          const srv = createServer();
          srv.once('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, detail: `port ${port} on ${host}: ${err.code}${elsewhere}`, fix: `free port ${port} (\`ss -ltnp 'sport = :${port}'\` shows who holds it) or set http.port to another one` }));
          srv.listen(port, host, () => srv.close(() => resolve({ ok: true, detail: `port ${port} on ${host} is free${elsewhere}` })));
        });
      },
    },
  ];
}
