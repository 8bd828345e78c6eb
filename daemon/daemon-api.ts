// The daemon's own commands (from the master) and control-socket methods (from the local CLI).
import type { Logger } from 'pino';
import { z } from 'zod';
import { CommandError } from '../protocol/errors.js';
import type { TransportManager } from '../transports/manager/index.js';
import { parseArgs, type CommandRouter } from './commands/index.js';
import type { ControlServer } from './control/server.js';
import type { Outbox } from './outbox/index.js';
import type { PluginHost } from './plugins/host.js';
import type { DaemonStatus } from './status.js';
import type { Uplink } from './uplink/index.js';

export interface DaemonApiDeps {
  host: PluginHost;
  manager: TransportManager;
  router: CommandRouter;
  outbox: Outbox;
  uplink: Uplink;
  status(): DaemonStatus;
}

const PluginName = z.object({ name: z.string().min(1) }).strict();
const SwitchArgs = z.object({ id: z.string().min(1), timeoutMs: z.number().int().positive().max(24 * 3600_000).optional() }).strict();
const NoArgs = z.object({}).strict();

interface DaemonCommand { alias: string; args: z.ZodType; description: string; run(args: never): unknown }

/**
 * The daemon's own commands under their documented (MQTT) names, each with the local control socket's spelling as
 * an alias: both names work on both sides (`status` over MQTT, `daemon.status` on the socket).
 */
function daemonCommands(d: DaemonApiDeps): Record<string, DaemonCommand> {
  return {
    'daemon.status': { alias: 'status', args: NoArgs, description: 'master link, active transport, outbox, plugins: what `kefu status` shows', run: () => d.status() },
    'plugin.list': { alias: 'plugins.list', args: NoArgs, description: 'installed plugins with their state', run: () => d.host.list() },
    'plugin.restart': { alias: 'plugins.restart', args: PluginName, description: 'restart one plugin', run: (a: z.infer<typeof PluginName>) => d.host.restart(a.name) },
    'transport.status': { alias: 'transports.status', args: NoArgs, description: 'links with status, quality, the active one and the last switch: what `kefu transports` shows', run: () => d.manager.status() },
    'transport.switch': {
      alias: 'transports.switch', args: SwitchArgs,
      description: 'force link `id` for timeoutMs (default 10 min); automatic choice resumes then, when the link dies, or on `transport.auto`',
      run: (a: z.infer<typeof SwitchArgs>) => d.manager.switchTo(a.id, { timeoutMs: a.timeoutMs }),
    },
    'transport.auto': { alias: 'transports.auto', args: NoArgs, description: 'end a forced link: back to automatic choice', run: async () => { await d.manager.clearForce(); return d.manager.status(); } },
  };
}

export function registerDaemonCommands(router: CommandRouter, d: DaemonApiDeps): void {
  for (const [name, c] of Object.entries(daemonCommands(d))) {
    router.handle(name, c.args, c.run as (a: unknown) => unknown, { description: c.description });
    router.alias(c.alias, name);
  }
}

export function registerControlMethods(control: ControlServer, d: DaemonApiDeps): void {
  for (const [name, c] of Object.entries(daemonCommands(d))) {
    // not through router.runLocal: `kefu status` polling is no command execution in commands.stats
    const method = (p: unknown) => {
      const a = parseArgs(name, c.args, p);
      if (!a.ok) throw new CommandError('ARGS_INVALID', a.message);
      return (c.run as (a: unknown) => unknown)(a.args);
    };
    control.handle(name, method);
    control.handle(c.alias, method);
  }
  control.handle('outbox.stats', () => d.outbox.stats());
  control.handle('commands.stats', () => d.router.stats());
  control.handle('commands.list', () => d.router.catalogue());
  control.handle('uplink.stats', () => d.uplink.stats());
  control.handle('commands.run', (p) => {
    const a = z.object({ name: z.string().min(1), args: z.unknown().optional() }).strict().parse(p);
    return d.router.runLocal(a.name, a.args);
  });
}

/** What the master may change remotely (`cfg`): today the link preference order. Unknown keys are refused. */
const RemoteConfig = z.object({ failover: z.object({ order: z.array(z.string().min(1)).min(1) }).strict().optional() }).strict();

export async function applyRemoteConfig(config: Record<string, unknown>, d: { manager: TransportManager; log: Logger }): Promise<void> {
  const parsed = RemoteConfig.safeParse(config);
  if (!parsed.success) throw new CommandError('CFG_INVALID', parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
  const order = parsed.data.failover?.order;
  if (order) {
    // ids or kinds of this box's links: a name it does not have would leave the order naming nothing
    const known = new Set(d.manager.status().links.flatMap((l) => [l.id, l.kind]));
    const unknown = order.filter((n) => !known.has(n));
    if (unknown.length) throw new CommandError('CFG_INVALID', `failover.order: no link ${unknown.map((n) => `"${n}"`).join(', ')} on this box (it has ${[...known].join(', ')})`);
    await d.manager.setOrder(order);
  }
  d.log.info({ config: parsed.data }, 'remote config applied');
}
