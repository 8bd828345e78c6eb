// The box's MQTT login, kept current: `master.passwordFile` is read at start, again after the broker refuses the
// login, and whenever the file changes (stat polling survives an editor's or `install`'s rename). Rotating a
// password is replacing the file: the probes and the uplink retry at once with the new one, no restart.
import { watchFile, unwatchFile, type Stats } from 'node:fs';
import type { Logger } from 'pino';
import { readSecret } from '../secrets.js';

export interface CredentialSourceOptions {
  username?: string;
  passwordFile?: string;
  log: Logger;
  /** how often the file's stat is polled */
  pollMs?: number;
  /** the password changed: sessions waiting out a backoff should try again now */
  onChange?: () => void;
}

export function createCredentialSource(o: CredentialSourceOptions) {
  let password: string | undefined;
  let watching = false;
  let reading: Promise<boolean> | null = null;

  async function read(): Promise<boolean> {
    if (!o.passwordFile) return false;
    let next: string;
    try {
      next = await readSecret(o.passwordFile, 'master.passwordFile');
    } catch (err) {
      // mid-replacement or gone: keep the password we have (asked again at the next change or refusal)
      o.log.warn({ err: (err as Error).message }, 'master.passwordFile unreadable; keeping the password read before');
      return false;
    }
    // an empty file is a replacement caught half-written (`echo … >` truncates first): wait for its content
    if (next === '' || next === password) return false;
    const first = password === undefined;
    password = next;
    if (!first) {
      o.log.info({ file: o.passwordFile }, 'master.passwordFile changed: connecting with the new password');
      o.onChange?.();
    }
    return true;
  }

  /** re-reads the file; concurrent calls share one read. Resolves true when the password changed. */
  function refresh(): Promise<boolean> {
    reading ??= read().finally(() => { reading = null; });
    return reading;
  }

  const onStat = (cur: Stats, prev: Stats) => {
    if (cur.mtimeMs !== prev.mtimeMs || cur.ino !== prev.ino || cur.size !== prev.size) void refresh();
  };

  return {
    /** Reads the file for the first time (an unreadable file fails the start, naming the key) and watches it. */
    async start(): Promise<void> {
      if (o.passwordFile && password === undefined) {
        password = await readSecret(o.passwordFile, 'master.passwordFile');
      }
      if (o.passwordFile && !watching) {
        watching = true;
        watchFile(o.passwordFile, { interval: o.pollMs ?? 1000, persistent: false }, onStat);
      }
    },
    stop(): void {
      if (watching && o.passwordFile) unwatchFile(o.passwordFile, onStat);
      watching = false;
    },
    refresh,
    /** the login to send now; never log it */
    current(): { username?: string; password?: string } {
      return { username: o.username, ...(password !== undefined ? { password } : {}) };
    },
  };
}

export type CredentialSource = ReturnType<typeof createCredentialSource>;
