// Builds a real PluginContext for one plugin without the whole daemon: the box's HTTP/WS server on port 0
// (daemon/http/server.ts), a level sublevel in a temp dir, the typed bus, real metrics, a recording uplink
// and an in-memory command table.
import type { FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import { createHttpServer } from '../../daemon/http/server.js';
import { createMetrics } from '../../daemon/metrics.js';
import type { z } from 'zod';
import { createEventBus, type EventBus } from '../../daemon/event-bus.js';
import type { BusEvents } from '../../daemon/bus-events.js';
import { createRootStore, sublevel } from '../../daemon/store.js';
import { silentLogger } from '../../daemon/logger.js';
import type { PluginContext, PluginDefinition, PluginInstance, CommandMeta } from '../../daemon/plugin-api.js';
import { tempDir } from './tmp.js';

export interface Published { type: string; data: unknown; class?: string; id: string; seq: number }

export interface PluginHarness<C> {
  ctx: PluginContext<C>;
  instance: PluginInstance;
  app: FastifyInstance;
  /** http://127.0.0.1:port */
  baseUrl: string;
  published: Published[];
  telemetry: Array<{ name: string; data: Record<string, unknown> }>;
  busEvents: Array<{ event: keyof BusEvents; payload: unknown }>;
  bus: EventBus;
  command(name: string, args?: unknown): Promise<unknown>;
  /** stops the plugin, the server and the store (also registered with t.after) */
  close(): Promise<void>;
}

export async function createPluginHarness<S extends z.ZodType>(
  t: { after(fn: () => unknown): void },
  plugin: PluginDefinition<S>,
  rawConfig: unknown,
  opts: { watchBus?: Array<keyof BusEvents>; secrets?: Record<string, string> } = {},
): Promise<PluginHarness<z.infer<S>>> {
  const dir = await tempDir(t, `kefu-${plugin.name}-`);
  const parsed = plugin.config.safeParse(rawConfig);
  if (!parsed.success) throw new Error(`config: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const root = createRootStore(`${dir}/db`);
  await root.open();
  const server = await createHttpServer({ host: '127.0.0.1', port: 0, bodyLimitBytes: 4 * 1024 * 1024, log: silentLogger() });
  const app = server.app;
  let running = false;
  const bus = createEventBus(() => {});
  const busEvents: PluginHarness<unknown>['busEvents'] = [];
  for (const ev of opts.watchBus ?? []) bus.on(ev, 'harness', (payload) => { busEvents.push({ event: ev, payload }); });
  const published: Published[] = [];
  const telemetry: PluginHarness<unknown>['telemetry'] = [];
  const handlers = new Map<string, { schema: z.ZodType; fn: (args: unknown, meta: CommandMeta) => unknown }>();
  let seq = 0;

  const ctx: PluginContext<z.infer<S>> = {
    name: plugin.name,
    config: parsed.data,
    log: silentLogger(),
    bus,
    store: sublevel(root, plugin.name),
    uplink: {
      async publish(type, data, o) { const rec = { type, data, class: o?.class, id: randomUUID(), seq: ++seq }; published.push(rec); return { id: rec.id, seq: rec.seq }; },
      telemetry(name, data) { telemetry.push({ name, data }); },
    },
    commands: { handle(name, schema, fn) { handlers.set(name, { schema, fn: fn as (a: unknown, m: CommandMeta) => unknown }); } },
    http: server.pluginHttp(plugin.name, () => running),
    metrics: createMetrics().forScope(plugin.name),
    box: { id: 'test-box', region: 'test', dataDir: dir, version: '0.0.0-test' },
    async readSecret(path) {
      const s = opts.secrets?.[path];
      if (s === undefined) throw new Error(`no secret ${path}`);
      return s;
    },
  };
  const instance = await plugin.setup(ctx);
  try {
    await instance.start();
  } catch (err) {
    // a start that fails leaves nothing open behind the test
    await server.close();
    await root.close();
    throw err;
  }
  running = true;
  const baseUrl = await server.listen();
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    running = false;
    await instance.stop();
    await server.close();
    await root.close();
  };
  t.after(close);
  return {
    ctx, instance, app, baseUrl, published, telemetry, busEvents, bus, close,
    async command(name, args = {}) {
      const h = handlers.get(name);
      if (!h) throw new Error(`no command ${name}`);
      return h.fn(h.schema.parse(args), { id: randomUUID(), progress() {} });
    },
  };
}
