// `kefu plugins [restart <name>]`: installed and running plugins.
import type { Command } from 'commander';
import { pluginNames } from '../../daemon/builtins.js';
import { loadCliBoxConfig } from '../box-config.js';
import type { PluginRecord } from '../../daemon/plugins/host.js';
import { controlRequest } from '../../daemon/control/client.js';
import { KefuError } from '../../protocol/errors.js';
import { action, fail, print, table } from '../output.js';

export function register(program: Command): void {
  const plugins = program.command('plugins')
    .description('list plugins: installed, enabled in the config, and their state in the running daemon')
    .option('-c, --config <file>', 'box config file')
    .action(action(async (opts: { config?: string }, cmd: Command) => {
      const g = cmd.optsWithGlobals();
      const config = await loadCliBoxConfig(opts.config);
      const answer = await controlRequest<PluginRecord[]>(config.root.dataDir, 'plugins.list').then((list) => ({ list }), (error: unknown) => ({ error }));
      const running = 'list' in answer ? answer.list : null;
      const rows = pluginNames.map((name) => {
        const r = running?.find((p) => p.name === name);
        return { name, enabled: name in config.plugins, status: r?.status ?? (running ? 'disabled' : null), restarts: r?.restarts ?? (running ? 0 : null), error: r?.error?.message };
      });
      if ('error' in answer) {
        // the config still says what is installed and enabled; the error line and the exit code say that is all
        if (!g.json) print(g, rows, () => table(rows));
        // false: nothing answers; null: something may run but would not tell (a denied socket, a hung daemon)
        const down = answer.error instanceof KefuError && answer.error.code === 'DAEMON_NOT_RUNNING';
        fail(answer.error, g, { running: down ? false : null, plugins: rows });
      }
      print(g, { running: true, plugins: rows }, () => table(rows));
    }));
  plugins.command('restart <name>')
    .description('stop and start one plugin in the running daemon')
    .action(action(async (name: string, _o: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals() as { config?: string; json?: boolean };
      const config = await loadCliBoxConfig(g.config);
      const r = await controlRequest<PluginRecord>(config.root.dataDir, 'plugins.restart', { name }, 30_000);
      print(g, r, () => `${r.name}: ${r.status}`);
    }));
}
