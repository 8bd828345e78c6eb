// Test host for the video plugin until the daemon's plugin host is used: fastify + @fastify/websocket +
// @fastify/static, a PluginContext built from small fakes, the common web assets at /_common/.
import Fastify from 'fastify';
import fastifyWebsocket from '@fastify/websocket';
import fastifyStatic from '@fastify/static';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import plugin from '../../plugins/video/index.js';
import { createEventBus } from '../../daemon/event-bus.js';
import { silentLogger } from '../../daemon/logger.js';
import type { PluginContext } from '../../daemon/plugin-api.js';
import type { Store } from '../../daemon/store.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

export interface VideoServer {
  url: string;
  port: number;
  bus: ReturnType<typeof createEventBus>;
  telemetry: Array<{ name: string; data: Record<string, unknown> }>;
  command(name: string, args: unknown): Promise<unknown>;
  plugin: Awaited<ReturnType<typeof plugin.setup>>;
  close(): Promise<void>;
}

export async function startVideoServer(opts: { dataDir: string; config?: Record<string, unknown> }): Promise<VideoServer> {
  const app = Fastify({ logger: false });
  await app.register(fastifyWebsocket, { options: { maxPayload: 512 * 1024 } });
  await app.register(fastifyStatic, { root: join(root, 'daemon/web-common'), prefix: '/_common/' });
  await app.register(fastifyStatic, { root: join(root, 'node_modules/uplot/dist'), prefix: '/_common/uplot/', decorateReply: false });
  const bus = createEventBus(() => undefined);
  const telemetry: VideoServer['telemetry'] = [];
  const handlers = new Map<string, { schema: z.ZodType; fn: (a: unknown, m: unknown) => unknown }>();
  const routes: Array<() => void> = [];
  const config = plugin.config.parse(opts.config ?? {});
  const ctx: PluginContext<typeof config> = {
    name: 'video', config, log: silentLogger(), bus, store: {} as Store,
    uplink: { publish: async () => ({ id: 'x', seq: 0 }), telemetry: (name, data) => { telemetry.push({ name, data }); } },
    commands: { handle: (name, schema, fn) => { handlers.set(name, { schema, fn: fn as (a: unknown, m: unknown) => unknown }); } },
    http: {
      route: (r) => routes.push(() => app.route({ ...r, url: `/p/video${r.url}` })),
      ws: (url, handler) => routes.push(() => app.get(`/p/video${url}`, { websocket: true }, (socket, req) => handler(socket, req))),
      static: (dir) => routes.push(() => { void app.register(fastifyStatic, { root: dir, prefix: '/p/video/', decorateReply: false }); }),
    },
    metrics: { counter: () => ({ inc: () => undefined }), gauge: () => ({ set: () => undefined }) },
    box: { id: 'test-box', region: 'test', dataDir: opts.dataDir, version: '0.0.0' },
    readSecret: async () => '',
  };
  const inst = await plugin.setup(ctx);
  for (const r of routes) r();
  await inst.start();
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as { port: number }).port;
  return {
    url: `http://localhost:${port}`, port, bus, telemetry, plugin: inst,
    async command(name, args) {
      const h = handlers.get(name);
      if (!h) throw new Error(`no command ${name}`);
      return h.fn(h.schema.parse(args), { id: 'c1', progress: () => undefined });
    },
    async close() { await inst.stop(); await app.close(); },
  };
}
