// `kefu master boxes|send|broadcast`: the fleet and its commands, over the master's HTTP API.
import type { Command } from 'commander';
import { KefuError } from '../../protocol/errors.js';
import type { BoxInfo } from '../../master/fleet/registry.js';
import { print, table, action, type OutputOptions } from '../output.js';
import { clientOptions, masterClient, type ClientOptions } from './target.js';

function parseArgs(argsJson: string | undefined): unknown {
  try {
    return argsJson === undefined ? undefined : JSON.parse(argsJson);
  } catch (err) {
    throw new KefuError('ARGS_INVALID', `argsJson is not JSON: ${(err as Error).message}`);
  }
}

function ago(ts: number | null): string {
  if (ts === null) return 'never';
  const s = Math.max(0, Math.round((Date.now() - ts) / 1000));
  return s < 90 ? `${s} s ago` : s < 5400 ? `${Math.round(s / 60)} min ago` : `${Math.round(s / 3600)} h ago`;
}

/** an offline box's quality would be stale: it shows the link it last used, as last known */
function link(b: BoxInfo): string | null {
  if (b.online && b.transport) return `${b.transport.kind}${b.transport.quality === null ? '' : ` ${Math.round(b.transport.quality * 100)}%`}`;
  return b.lastTransport ? `(last: ${b.lastTransport.kind})` : null;
}

const ms = (v: string) => Number(v);

export function registerFleet(master: Command): void {
  clientOptions(master.command('boxes').description('list the fleet'))
    .action(action(async (opts: ClientOptions, cmd: Command) => {
      const out = cmd.optsWithGlobals<OutputOptions>();
      const boxes = await (await masterClient(opts)).boxes();
      print(out, boxes.map((b) => ({ id: b.id, region: b.region, online: b.online, version: b.version, transport: b.transport, lastSeen: b.lastSeen })), () =>
        table(boxes.map((b) => ({
          id: b.id, region: b.region, online: b.online ? 'online' : 'offline', version: b.version,
          link: link(b), plugins: Object.keys(b.plugins).length, 'last seen': ago(b.lastSeen),
        }))));
    }));

  clientOptions(master.command('send <box> <command> [argsJson]').description('send a command to a box and wait for its result (an offline box: BOX_OFFLINE at once, unless --wait)'))
    .option('--timeout <ms>', 'how long to wait for the result', ms, 30_000)
    .option('--wait', 'if the box is offline, wait up to --timeout for it to come back and answer')
    .action(action(async (box: string, name: string, argsJson: string | undefined, opts: ClientOptions & { timeout: number; wait?: boolean }, cmd: Command) => {
      const out = cmd.optsWithGlobals<OutputOptions>();
      const args = parseArgs(argsJson);
      const res = await (await masterClient(opts)).send(box, name, args, opts.timeout, { wait: opts.wait });
      print(out, res, () => JSON.stringify(res.result, null, 2) ?? 'ok');
    }));

  clientOptions(master.command('broadcast <command> [argsJson]').description('send a command to every box (of a region) and gather the results'))
    .option('--region <region>', 'only the boxes of this region')
    .option('--timeout <ms>', 'how long to gather results', ms, 10_000)
    .action(action(async (name: string, argsJson: string | undefined, opts: ClientOptions & { region?: string; timeout: number }, cmd: Command) => {
      const out = cmd.optsWithGlobals<OutputOptions>();
      const args = parseArgs(argsJson);
      const res = await (await masterClient(opts)).broadcast(name, args, { region: opts.region, timeoutMs: opts.timeout });
      const count = (code: string) => res.results.filter((r) => r.error?.code === code).length;
      const summary = `${res.results.filter((r) => r.ok).length} of ${res.results.length} boxes ok, ${count('BOX_OFFLINE')} offline, ${count('COMMAND_TIMEOUT')} did not answer`;
      print(out, res, () => (res.results.length
        ? `${table(res.results.map((r) => ({ box: r.box, ok: r.ok, result: r.ok ? r.result : `${r.error?.code}: ${r.error?.message}` })))}\n${summary}`
        : `no boxes${opts.region ? ` in region ${opts.region}` : ''}`));
    }));
}
