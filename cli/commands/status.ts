// `kefu status`: the running daemon's state, over the control socket.
import type { Command } from 'commander';
import { loadCliBoxConfig } from '../box-config.js';
import { controlRequest } from '../../daemon/control/client.js';
import { action, print, table } from '../output.js';
import type { DaemonStatus } from '../../daemon/status.js';

type LastError = NonNullable<DaemonStatus['uplink']['lastError']>;

const secondsAgo = (t: number) => `${Math.max(0, Math.round((Date.now() - t) / 1000))}s ago`;

/** `PROBE_REFUSED on eth 4s ago (09:41:02Z): …; 7 attempts since 3m ago` */
export function describeError(e: LastError): string {
  const at = new Date(e.at).toISOString().slice(11, 19);
  const run = e.attempts > 1 ? `; ${e.attempts} attempts since ${secondsAgo(e.since)}` : '';
  return `${e.code}${e.link ? ` on ${e.link}` : ''} ${secondsAgo(e.at)} (${at} UTC): ${e.message}${run}`;
}

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
        ...(s.uplink.lastError ? [`  why      ${describeError(s.uplink.lastError)}`] : []),
        `transport  ${s.transport ? `${s.transport.id} (${s.transport.kind}, quality ${s.transport.quality ?? '-'})` : 'none up'}`,
        `outbox     ${s.outbox.pending} pending, ${s.outbox.bytes} bytes, ${s.outbox.lost} lost`,
        `http       ${s.httpUrl}`,
        '',
        table(s.plugins.map((p) => ({ plugin: p.name, status: p.status, restarts: p.restarts, error: p.error?.message }))),
      ].join('\n'));
    }));
}
