// `kefu transports [switch <id> --for 10m | auto]`: the links as the running daemon's TransportManager sees them.
import type { Command } from 'commander';
import { loadCliBoxConfig } from '../box-config.js';
import { CommandError } from '../../protocol/errors.js';
import type { TransportManager } from '../../transports/manager/index.js';
import { controlRequest } from '../../daemon/control/client.js';
import { action, print, table } from '../output.js';

type Status = ReturnType<TransportManager['status']>;

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3600_000 };
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new CommandError('BAD_DURATION', `"${text}" is not a duration (examples: 90s, 10m, 1h)`);
  return Math.round(Number(m[1]) * UNITS[m[2] ?? 's']);
}

const ago = (t: number | null | undefined) => (t ? `${Math.max(0, Math.round((Date.now() - t) / 1000))}s ago` : null);

export function renderStatus(s: Status): string {
  const rows = s.links.map((l) => ({
    id: l.id, kind: l.kind, status: l.state ?? (l.alive ? (l.good ? l.status : 'degraded') : 'down'),
    quality: l.good ? `rtt ${l.rttMs ?? '-'} ms, loss ${l.lossPct}%` : (l.reason ?? '-'),
    // since: when this status began (a wired link whose carrier is fine but whose broker went away is down since then)
    active: l.active ? '*' : '', since: ago(l.since),
    traffic: `${l.bytesOut}/${l.bytesIn} B${l.budgetBytes ? ` (budget ${l.budgetUsed}/${l.budgetBytes})` : ''}`,
  }));
  const last = s.lastSwitch;
  // the table says a probe failed; these lines say why, in the installer's terms, and for how long
  const why = s.links.filter((l) => l.lastError).map((l) => {
    const e = l.lastError!;
    return `why ${l.id.padEnd(8)} ${e.code} ${ago(e.at)}: ${e.message}${e.attempts > 1 ? ` (${e.attempts} attempts since ${ago(e.since)})` : ''}`;
  });
  return [
    table(rows, ['id', 'kind', 'status', 'quality', 'active', 'since', 'traffic']),
    ...(why.length ? ['', ...why] : []),
    '',
    `order        ${s.order.join(' > ')}`,
    `forced       ${s.forced ? `${s.forced.id} until ${new Date(s.forced.until).toISOString()}` : 'no (automatic)'}`,
    `last switch  ${last ? `${ago(last.at)}: ${last.from ?? '-'} → ${last.to ?? '-'} (${last.kind}) ${last.reason}` : 'none'}`,
    `switches/h   ${s.switchesLastHour}`,
  ].join('\n');
}

/** `kefu transports auto`: says what happened, then the links. */
export function renderAuto(s: Status): string {
  const active = s.links.find((l) => l.active);
  return `automatic link selection resumed; ${active ? `active link: ${active.id}` : 'no link is up'}\n\n${renderStatus(s)}`;
}

export function register(program: Command): void {
  const dataDir = async (opts: { config?: string }) => (await loadCliBoxConfig(opts.config)).root.dataDir;
  const group = program.command('transports')
    .description('links (5G, 4G, wired, Bluetooth): status, quality, active link, last switch and why')
    .option('-c, --config <file>', 'box config file')
    .action(action(async (opts: { config?: string }, cmd: Command) => {
      const s = await controlRequest<Status>(await dataDir(opts), 'transports.status');
      print(cmd.optsWithGlobals(), s, () => renderStatus(s));
    }));
  group.command('switch <id>')
    .description('force a link; automatic selection resumes after --for or when the link fails')
    .option('--for <duration>', 'how long to hold the forced link (e.g. 90s, 10m, 1h)', '10m')
    .option('-c, --config <file>', 'box config file')
    .action(action(async (id: string, opts: { for: string; config?: string }, cmd: Command) => {
      const ev = await controlRequest<{ to: string | null; reason: string } | null>(await dataDir({ config: opts.config ?? cmd.optsWithGlobals().config }), 'transports.switch', { id, timeoutMs: parseDuration(opts.for) }, 10_000);
      print(cmd.optsWithGlobals(), ev, () => `switched to ${id} for ${opts.for}${ev ? ` (${ev.reason})` : ''}`);
    }));
  group.command('auto')
    .description('end a forced switch: automatic selection now')
    .option('-c, --config <file>', 'box config file')
    .action(action(async (opts: { config?: string }, cmd: Command) => {
      const s = await controlRequest<Status>(await dataDir({ config: opts.config ?? cmd.optsWithGlobals().config }), 'transports.auto');
      print(cmd.optsWithGlobals(), s, () => renderAuto(s));
    }));
}
