// `kefu start`: runs the box daemon in the foreground until SIGTERM/SIGINT, then stops it cleanly.
import type { Command } from 'commander';
import { loadBoxConfig } from '../../daemon/builtins.js';
import { createDaemon } from '../../daemon/daemon.js';
import { createLogger } from '../../daemon/logger.js';
import { resolveConfigPath } from '../config-path.js';
import { action } from '../output.js';
import { untilSignal } from '../signals.js';

export function register(program: Command): void {
  program.command('start')
    .description('run the box daemon in the foreground (SIGTERM or Ctrl-C stops it cleanly)')
    .option('-c, --config <file>', 'box config file')
    .action(action(async (opts: { config?: string }) => {
      const config = await loadBoxConfig(resolveConfigPath(opts.config));
      const log = createLogger({ level: config.root.log.level, name: 'kefu' });
      const daemon = createDaemon(config, log);
      await daemon.start();
      process.stdout.write(`kefu ${config.root.box.region}/${config.root.box.id} running; LAN ${daemon.httpUrl}\n`);
      await untilSignal(log, () => daemon.stop());
    }));
}
