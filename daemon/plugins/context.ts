// Builds the one context object each plugin receives (see daemon/plugin-api.ts).
import type { Logger } from 'pino';
import { PluginError } from '../../protocol/errors.js';
import type { OutboxClass } from '../../protocol/schemas.js';
import type { EventBus } from '../event-bus.js';
import type { Metrics } from '../metrics.js';
import type { PluginCommands, PluginContext, PluginDefinition, PluginHttp } from '../plugin-api.js';
import { sublevel, type RootStore } from '../store.js';

export interface PluginServices {
  log: Logger;
  bus: EventBus;
  store: RootStore;
  metrics: Metrics;
  box: { id: string; region: string; dataDir: string; version: string };
  publishEvent(plugin: string, type: string, data: unknown, cls: OutboxClass): Promise<{ id: string; seq: number }>;
  telemetry(name: string, data: Record<string, unknown>): void;
  commands: PluginCommands;
  http(name: string, isRunning: () => boolean): PluginHttp;
  readSecret(path: string): Promise<string>;
}

export function pluginContextFactory(s: PluginServices) {
  return (def: PluginDefinition, config: unknown, isRunning: () => boolean): PluginContext => {
    const name = def.name;
    return {
      name,
      config,
      log: s.log.child({ module: `plugin:${name}` }),
      bus: s.bus,
      store: sublevel(s.store, `plugin:${name}`),
      uplink: {
        publish: (type, data, opts) => s.publishEvent(name, type, data, opts?.class ?? 'event'),
        telemetry: (tname, data) => s.telemetry(tname, data),
      },
      commands: {
        handle(cmd, schema, handler) {
          s.commands.handle(cmd, schema, (args, meta) => {
            if (!isRunning()) throw new PluginError('PLUGIN_NOT_RUNNING', name, `plugin ${name} is not running`);
            return handler(args, meta);
          });
        },
      },
      http: s.http(name, isRunning),
      metrics: s.metrics.forScope(name),
      box: s.box,
      readSecret: s.readSecret,
    };
  };
}
