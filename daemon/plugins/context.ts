// Builds the one context object each plugin receives (see daemon/plugin-api.ts).
import type { Logger } from 'pino';
import { PluginError } from '../../protocol/errors.js';
import type { EventBus } from '../event-bus.js';
import type { Metrics } from '../metrics.js';
import type { PluginCommands, PluginContext, PluginDefinition, PluginHttp, PluginUplink } from '../plugin-api.js';
import { sublevel, type RootStore } from '../store.js';

export interface PluginServices {
  log: Logger;
  bus: EventBus;
  store: RootStore;
  metrics: Metrics;
  box: { id: string; region: string; dataDir: string; version: string };
  /** the plugin's uplink: events under its own `evt/{plugin}/`, telemetry */
  uplink(plugin: string): PluginUplink;
  /** the plugin's commands, restricted to names under `{plugin}.` */
  commands(plugin: string): PluginCommands;
  http(name: string, isRunning: () => boolean): PluginHttp;
  readSecret(path: string): Promise<string>;
}

export function pluginContextFactory(s: PluginServices) {
  return (def: PluginDefinition, config: unknown, isRunning: () => boolean): PluginContext => {
    const name = def.name;
    const commands = s.commands(name);
    return {
      name,
      config,
      log: s.log.child({ module: `plugin:${name}` }),
      bus: s.bus,
      store: sublevel(s.store, `plugin:${name}`),
      uplink: s.uplink(name),
      commands: {
        handle(cmd, schema, handler, info) {
          commands.handle(cmd, schema, (args, meta) => {
            if (!isRunning()) throw new PluginError('PLUGIN_NOT_RUNNING', name, `plugin ${name} is not running`);
            return handler(args, meta);
          }, info);
        },
      },
      http: s.http(name, isRunning),
      metrics: s.metrics.forScope(name),
      box: s.box,
      readSecret: s.readSecret,
    };
  };
}
