// `kefu master run`: the master center in the foreground, one per data folder; SIGTERM/Ctrl-C stops it cleanly.
import type { Command } from 'commander';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createLogger } from '../../daemon/logger.js';
import { ConfigError, KefuError } from '../../protocol/errors.js';
import { loadMasterConfigFile } from '../../master/config.js';
import { createMaster, HTTP_TOKEN_FILE, type Master, type MasterUrls } from '../../master/master.js';
import { acquireInstanceLock, masterAlreadyRunning, shortPath } from '../instance-lock.js';
import { action, print, type OutputOptions } from '../output.js';
import { untilSignal } from '../signals.js';
import { configFileOf, DEFAULT_DATA } from './target.js';

interface RunOptions { config?: string; data?: string; mqttPort?: number; wsPort?: number; httpPort?: number }

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError([`port: ${value} is not a port number`]);
  return n;
}

/** The store's lock, held by another process (`kefu up`'s master): level reports it only as a cause. */
function storeLocked(err: unknown): boolean {
  for (let e = err as { code?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) if (e.code === 'LEVEL_LOCKED') return true;
  return false;
}

/** a config problem names the file it is in */
const named = (err: unknown, file: string | null) =>
  (err instanceof ConfigError && file ? new ConfigError(err.issues, `invalid master configuration in ${file}:\n  ${err.issues.join('\n  ')}`) : err);

const ALL_INTERFACES = '(listening on all interfaces: other machines use this machine\'s name or address, as in its certificate; set publicHost to print it here)';

export function registerRun(master: Command): void {
  master.command('run')
    .description('run the master center (embedded broker unless the config names an external one)')
    .option('--config <file>', 'YAML config file (default: KEFU_MASTER_CONFIG)')
    .option('--data <dir>', 'data dir (credentials, event store, secrets)')
    .option('--mqtt-port <port>', 'embedded broker TCP port', port)
    .option('--ws-port <port>', 'embedded broker WebSocket port', port)
    .option('--http-port <port>', 'HTTP API and dashboard port', port)
    .action(action(async (opts: RunOptions, cmd: Command) => {
      const out = cmd.optsWithGlobals<OutputOptions>();
      const file = configFileOf(opts);
      const raw = (file ? await loadMasterConfigFile(file) : {}) as Record<string, any>;
      const cfg: Record<string, any> = { ...raw, dataDir: opts.data ?? raw.dataDir ?? (process.env.KEFU_MASTER_DATA || DEFAULT_DATA) };
      cfg.broker = { ...(raw.broker ?? {}) };
      if (opts.mqttPort !== undefined) cfg.broker.tcp = { ...(raw.broker?.tcp ?? {}), port: opts.mqttPort };
      if (opts.wsPort !== undefined) cfg.broker.ws = { ...(raw.broker?.ws ?? {}), port: opts.wsPort };
      if (opts.httpPort !== undefined) cfg.http = { ...(raw.http ?? {}), port: opts.httpPort };
      const log = createLogger({ name: 'master' });
      let m: Master;
      try {
        m = createMaster(cfg as { dataDir: string }, { log });
      } catch (err) {
        throw named(err, file);
      }
      const dataDir = resolve(m.config.dataDir);
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      // before anything opens the folder: a second master must leave the running one (and its master.json) alone
      const lock = acquireInstanceLock(dataDir, (pid, dir) => masterAlreadyRunning(dir, pid));
      try {
        let urls: MasterUrls;
        try {
          urls = await m.start();
        } catch (err) {
          if (!storeLocked(err)) throw named(err, file);
          throw new KefuError('DATA_DIR_IN_USE', `data folder ${shortPath(dataDir)} is in use by another master (its store is locked, e.g. by \`kefu up\`); stop it first, or give this one another dataDir`, { dir: dataDir });
        }
        const wide = new Set<string>(m.allInterfaces);
        print(out, { ok: true, ...urls, dataDir: m.config.dataDir, allInterfaces: [...wide], warnings: [...m.warnings] }, () => [
          `master running (data: ${m.config.dataDir})`,
          ...m.warnings.map((w) => `warning: ${w}`),
          ...Object.entries(urls).map(([k, v]) => `  ${k.padEnd(9)} ${v}${wide.has(k) ? `  ${ALL_INTERFACES}` : ''}`),
          `  API token in ${m.config.http.tokenFile ?? join(m.config.dataDir, HTTP_TOKEN_FILE)}; open the dashboard as ${urls.dashboard}#token=<token>`,
        ].join('\n'));
        await untilSignal(log, async () => { await m.stop(); });
      } finally {
        lock.release();
      }
    }));
}
