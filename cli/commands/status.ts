// `kefu status`: the running daemon's state, over the control socket.
import type { Command } from 'commander';
import { loadCliBoxConfig } from '../box-config.js';
import { controlRequest } from '../../daemon/control/client.js';
import { action, print, table } from '../output.js';
import type { DaemonStatus } from '../../daemon/status.js';

export function register(program: Command): void {
  program.command('status')
    .description('show the running daemon: master link, active transport, outbox, plugins')
    .option('-c, --config <file>', 'box config file')
    .action(action(async (opts: { config?: string }, cmd: Command) => {
      const config = await loadCliBoxConfig(opts.config);
      const s = await controlRequest<DaemonStatus>(config.root.dataDir, 'status');
      print(cmd.optsWithGlobals(), s, () => [
        `box        ${s.box.region}/${s.box.id}  (kefu ${s.version}, up ${Math.round(s.uptimeSeconds)} s)`,
        `master     ${s.uplink.connected ? 'connected' : 'NOT connected'}  ${s.uplink.url}`,
        `transport  ${s.transport ? `${s.transport.id} (${s.transport.kind}, quality ${s.transport.quality ?? '-'})` : 'none up'}`,
        `outbox     ${s.outbox.pending} pending, ${s.outbox.bytes} bytes, ${s.outbox.lost} lost`,
        `http       ${s.httpUrl}`,
        '',
        table(s.plugins.map((p) => ({ plugin: p.name, status: p.status, restarts: p.restarts, error: p.error?.message }))),
      ].join('\n'));
    }));
}
