// The daemon's own commands (from the master) and control-socket methods (from the local CLI).
import type { Logger } from 'pino';
import { z } from 'zod';
import { CommandError } from '../protocol/errors.js';
import type { TransportManager } from '../transports/manager/index.js';
import type { CommandRouter } from './commands/index.js';
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

export function registerDaemonCommands(router: CommandRouter, d: DaemonApiDeps): void {
  router.handle('plugin.list', z.object({}).strict().optional(), () => d.host.list());
  router.handle('plugin.restart', PluginName, (a) => d.host.restart(a.name));
  router.handle('transport.status', z.object({}).strict().optional(), () => d.manager.status());
  router.handle('transport.switch', SwitchArgs, (a) => d.manager.switchTo(a.id, { timeoutMs: a.timeoutMs }));
  router.handle('transport.auto', z.object({}).strict().optional(), async () => { await d.manager.clearForce(); return d.manager.status(); });
  router.handle('daemon.status', z.object({}).strict().optional(), () => d.status());
}

export function registerControlMethods(control: ControlServer, d: DaemonApiDeps): void {
  control.handle('status', () => d.status());
  control.handle('plugins.list', () => d.host.list());
  control.handle('plugins.restart', (p) => d.host.restart(PluginName.parse(p).name));
  control.handle('transports.status', () => d.manager.status());
  control.handle('transports.switch', async (p) => {
    const a = SwitchArgs.parse(p);
    return d.manager.switchTo(a.id, { timeoutMs: a.timeoutMs });
  });
  control.handle('transports.auto', async () => { await d.manager.clearForce(); return d.manager.status(); });
  control.handle('outbox.stats', () => d.outbox.stats());
  control.handle('commands.stats', () => d.router.stats());
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
  if (parsed.data.failover?.order) await d.manager.setOrder(parsed.data.failover.order);
  d.log.info({ config: parsed.data }, 'remote config applied');
}
