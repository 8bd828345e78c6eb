// Builds a real PluginContext for one plugin without the daemon: fastify + @fastify/websocket on port 0,
// a level sublevel in a temp dir, a typed bus, a recording uplink and an in-memory command table.
import Fastify, { type FastifyInstance } from 'fastify';
import websocket from '@fastify/websocket';
import fastifyStatic from '@fastify/static';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
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

const WEB_COMMON = fileURLToPath(new URL('../../daemon/web-common/', import.meta.url));

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
  const app = Fastify({ logger: false, bodyLimit: 8 * 1024 * 1024 });
  await app.register(websocket, { options: { maxPayload: 8 * 1024 * 1024 } });
  await app.register(fastifyStatic, { root: WEB_COMMON, prefix: '/_common/' });
  const bus = createEventBus(() => {});
  const busEvents: PluginHarness<unknown>['busEvents'] = [];
  for (const ev of opts.watchBus ?? []) bus.on(ev, 'harness', (payload) => { busEvents.push({ event: ev, payload }); });
  const published: Published[] = [];
  const telemetry: PluginHarness<unknown>['telemetry'] = [];
  const handlers = new Map<string, { schema: z.ZodType; fn: (args: unknown, meta: CommandMeta) => unknown }>();
  let seq = 0;
  const prefix = `/p/${plugin.name}`;

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
    http: {
      route(r) { app.route({ ...r, url: `${prefix}${r.url}` }); },
      ws(url, handler) { app.route({ method: 'GET', url: `${prefix}${url}`, websocket: true, handler: () => {}, wsHandler: (socket, req) => handler(socket, req) }); },
      static(d) { app.register(fastifyStatic, { root: d, prefix: `${prefix}/`, decorateReply: false }); },
    },
    metrics: { counter: () => ({ inc() {} }), gauge: () => ({ set() {} }) },
    box: { id: 'test-box', region: 'test', dataDir: dir, version: '0.0.0-test' },
    async readSecret(path) {
      const s = opts.secrets?.[path];
      if (s === undefined) throw new Error(`no secret ${path}`);
      return s;
    },
  };
  const instance = await plugin.setup(ctx);
  await instance.start();
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  const baseUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await instance.stop();
    await app.close();
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
