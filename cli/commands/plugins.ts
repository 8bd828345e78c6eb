// `kefu plugins [restart <name>]`: installed and running plugins.
import type { Command } from 'commander';
import { pluginNames } from '../../daemon/builtins.js';
import { loadCliBoxConfig } from '../box-config.js';
import type { PluginRecord } from '../../daemon/plugins/host.js';
import { controlRequest } from '../../daemon/control/client.js';
import { action, print, table } from '../output.js';

export function register(program: Command): void {
  const plugins = program.command('plugins')
    .description('list plugins: installed, enabled in the config, and their state in the running daemon')
    .option('-c, --config <file>', 'box config file')
    .action(action(async (opts: { config?: string }, cmd: Command) => {
      const config = await loadCliBoxConfig(opts.config);
      const running = await controlRequest<PluginRecord[]>(config.root.dataDir, 'plugins.list').catch(() => null);
      const rows = pluginNames.map((name) => {
        const r = running?.find((p) => p.name === name);
        return { name, enabled: name in config.plugins, status: r?.status ?? (running ? 'disabled' : 'daemon not running'), restarts: r?.restarts ?? 0, error: r?.error?.message };
      });
      print(cmd.optsWithGlobals(), rows, () => table(rows));
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
