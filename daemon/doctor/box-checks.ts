// The box's own checks: data folder, store, secrets, broker reachability and credentials, clock, HTTP port.
import { access, constants, mkdir, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import mqtt from 'mqtt';
import { controlRequest } from '../control/client.js';
import type { LoadedConfig } from '../config/load.js';
import { readSecret } from '../secrets.js';
import { createRootStore } from '../store.js';
import type { Check } from './check.js';

/** The earliest plausible date: a clock before it was never set (no RTC battery, no NTP). */
const CLOCK_FLOOR = Date.parse('2026-01-01T00:00:00Z');

export function boxChecks(config: LoadedConfig): Check[] {
  const { root } = config;
  const daemonRunning = controlRequest(root.dataDir, 'status', undefined, 1500).then(() => true, () => false);
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
        if (await daemonRunning) return { ok: true, detail: 'in use by the running daemon' };
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
          await readSecret(root.master.passwordFile, 'master.passwordFile');
          const s = await stat(root.master.passwordFile);
          if (s.mode & 0o077) return { ok: false, detail: `${root.master.passwordFile} is readable by others`, fix: `chmod 600 ${root.master.passwordFile}` };
          return { ok: true, detail: `${root.master.passwordFile} is readable and private` };
        } catch (err) {
          return { ok: false, detail: (err as Error).message, fix: `write the box password (from \`kefu master box add ${root.box.id}\`) to ${root.master.passwordFile}` };
        }
      },
    },
    {
      name: 'broker',
      async run(signal) {
        const password = root.master.passwordFile ? await readSecret(root.master.passwordFile).catch(() => undefined) : undefined;
        // a separate client id, so the running daemon's session is not kicked off
        const client = mqtt.connect(root.master.url, { clientId: `${root.box.id}-doctor`, username: root.master.username, password, connectTimeout: 5000, reconnectPeriod: 0, protocolVersion: 4 });
        signal.addEventListener('abort', () => client.end(true), { once: true });
        return new Promise((resolve) => {
          client.once('connect', () => { client.end(true); resolve({ ok: true, detail: `connected to ${root.master.url}` }); });
          client.once('error', (err: Error & { code?: number | string }) => {
            client.end(true);
            const auth = err.code === 4 || err.code === 5 || /Not authorized|Bad username/i.test(err.message);
            resolve(auth
              ? { ok: false, detail: `broker refused the credentials: ${err.message}`, fix: `check master.username and the password file; on the master: kefu master box add ${root.box.id} --region ${root.box.region}` }
              : { ok: false, detail: `cannot reach ${root.master.url}: ${err.message}`, fix: 'check the master url, the active link (`kefu transports`), DNS and firewalls' });
          });
          client.once('close', () => resolve({ ok: false, detail: `connection to ${root.master.url} closed`, fix: 'check the master url and that the broker accepts this client (TLS, ACL)' }));
        });
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
        if (await daemonRunning) return { ok: true, detail: `in use by the running daemon` };
        return new Promise((resolve) => {
          const srv = createServer();
          srv.once('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, detail: `port ${root.http.port}: ${err.code}`, fix: `free port ${root.http.port} or set http.port to another one` }));
          srv.listen(root.http.port, root.http.host, () => srv.close(() => resolve({ ok: true, detail: `port ${root.http.port} is free` })));
        });
      },
    },
  ];
}
