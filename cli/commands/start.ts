// `kefu start`: runs the box daemon in the foreground until SIGTERM/SIGINT, then stops it cleanly.
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { controlRequest } from '../../daemon/control/client.js';
import { controlSocketPath } from '../../daemon/control/protocol.js';
import { createDaemon } from '../../daemon/daemon.js';
import { createLogger } from '../../daemon/logger.js';
import { loadCliBoxConfig } from '../box-config.js';
import { acquireInstanceLock, dataDirInUse } from '../instance-lock.js';
import { action } from '../output.js';
import { untilSignal } from '../signals.js';

/** A daemon that took no pid file (an older build, one run in-process) still answers on its control socket. */
async function daemonAnswers(dataDir: string): Promise<boolean> {
  if (!existsSync(controlSocketPath(dataDir))) return false;
  return controlRequest(dataDir, 'status', undefined, 1500).then(() => true, () => false);
}

/** The store's lock, when another process holds it: level reports it only as the cause of a generic error. */
function storeLocked(err: unknown): boolean {
  for (let e = err as { code?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) if (e.code === 'LEVEL_LOCKED') return true;
  return false;
}

export function register(program: Command): void {
  program.command('start')
    .description('run the box daemon in the foreground (SIGTERM or Ctrl-C stops it cleanly)')
    .option('-c, --config <file>', 'box config file')
    .action(action(async (opts: { config?: string }) => {
      const config = await loadCliBoxConfig(opts.config);
      const { file } = config;
      const dataDir = config.root.dataDir;
      const lock = acquireInstanceLock(dataDir, (pid, dir) => dataDirInUse(dir, pid, file));
      try {
        if (await daemonAnswers(dataDir)) throw dataDirInUse(dataDir, undefined, file);
        const log = createLogger({ level: config.root.log.level, name: 'kefu' });
        const daemon = createDaemon(config, log);
        try {
          await daemon.start();
        } catch (err) {
          await daemon.stop().catch(() => undefined);
          throw storeLocked(err) ? dataDirInUse(dataDir, undefined, file) : err;
        }
        process.stdout.write(`kefu ${config.root.box.region}/${config.root.box.id} running; LAN ${daemon.httpUrl}\n`);
        await untilSignal(log, () => daemon.stop());
      } finally {
        lock.release();
      }
    }));
}
