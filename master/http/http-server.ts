// The master's HTTP side: a token-protected JSON API, a WebSocket feed, and the read-only dashboard pages.
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { z } from 'zod';
import { KefuError } from '../../protocol/errors.js';
import type { CommandApi } from '../commands/command-api.js';
import type { DesiredConfigApi } from '../commands/desired-config-api.js';
import type { FleetRegistry } from '../fleet/registry.js';
import type { EventStore } from '../ingest/event-store.js';
import type { TelemetryStore } from '../ingest/telemetry-store.js';
import type { FeedHub } from './feed-hub.js';
import type { HttpConfig } from './http-config.js';
import { listenError } from '../listen-error.js';

export interface HttpServerDeps {
  config: HttpConfig;
  token: string;
  registry: FleetRegistry;
  events: EventStore;
  telemetry: TelemetryStore;
  commands: CommandApi;
  desiredConfig: DesiredConfigApi;
  feed: FeedHub;
  stats: () => unknown;
  /** brings the box list up to date (boxes provisioned while the master runs) before it is served */
  beforeList?: () => Promise<void>;
  log: Logger;
}

const WEB_DIR = fileURLToPath(new URL('../web/', import.meta.url));
const COMMON_DIR = fileURLToPath(new URL('../../daemon/web-common/', import.meta.url));
const UPLOT_DIR = dirname(createRequire(import.meta.url).resolve('uplot'));

const CommandBody = z.object({
  name: z.string().min(1), args: z.unknown().optional(), timeoutMs: z.number().int().positive().max(600_000).optional(),
  /** an offline box: wait up to timeoutMs for it to come back (QoS 1, expiresAt) instead of BOX_OFFLINE at once */
  wait: z.boolean().optional(),
});
const BroadcastBody = CommandBody.omit({ wait: true }).extend({ region: z.string().optional() });
const ConfigBody = z.object({ config: z.record(z.string(), z.unknown()), waitMs: z.number().int().positive().max(600_000).optional() });

const digest = (s: string) => createHash('sha256').update(s).digest();

/** HTTP status for a command failure code. */
function statusFor(code: string): number {
  if (code === 'BOX_UNKNOWN') return 404;
  if (code === 'BOX_OFFLINE') return 409;
  if (code === 'COMMAND_TIMEOUT' || code === 'CFG_TIMEOUT') return 504;
  if (code === 'COMMAND_NAME_INVALID' || code === 'REQUEST_INVALID') return 400;
  if (code === 'MASTER_STOPPING' || code === 'COMMAND_SEND_FAILED') return 503;
  return 502; // the box answered with an error
}

export function createHttpServer(deps: HttpServerDeps) {
  let app: FastifyInstance | null = null;
  let url = '';
  const expected = digest(deps.token);

  function authorized(req: FastifyRequest): boolean {
    const header = req.headers.authorization;
    let given = header?.startsWith('Bearer ') ? header.slice(7) : undefined;
    // browsers cannot set headers on a WebSocket: the feed also takes the token as a query parameter
    if (!given && req.routeOptions.url === '/api/feed') given = (req.query as { token?: string }).token;
    return given !== undefined && timingSafeEqual(digest(given), expected);
  }

  function fail(reply: FastifyReply, err: unknown) {
    if (err instanceof KefuError) return reply.code(statusFor(err.code)).send({ ok: false, error: { code: err.code, message: err.message } });
    deps.log.error({ err }, 'request failed');
    return reply.code(500).send({ ok: false, error: { code: 'INTERNAL', message: 'internal error' } });
  }

  async function build(): Promise<FastifyInstance> {
    const tls = deps.config.tls;
    const https = tls ? { cert: await readFile(tls.cert), key: await readFile(tls.key) } : null;
    const f = (https ? Fastify({ logger: false, bodyLimit: 1024 * 1024, https }) : Fastify({ logger: false, bodyLimit: 1024 * 1024 })) as unknown as FastifyInstance;
    await f.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 } });
    f.addHook('onRequest', async (req, reply) => {
      if (req.url.startsWith('/api/') && !authorized(req)) {
        await reply.code(401).header('www-authenticate', 'Bearer').send({ ok: false, error: { code: 'UNAUTHORIZED', message: 'a valid bearer token is required' } });
      }
    });
    await f.register(fastifyStatic, { root: WEB_DIR, prefix: '/' });
    await f.register(fastifyStatic, { root: COMMON_DIR, prefix: '/_common/', decorateReply: false });
    await f.register(fastifyStatic, { root: UPLOT_DIR, prefix: '/_common/uplot/', decorateReply: false, allowedPath: (p) => /^\/?uPlot\.(iife\.min\.js|min\.css)$/.test(p) });

    f.get('/favicon.ico', (_req, reply) => reply.redirect('/_common/favicon.svg', 301));
    f.get('/api/boxes', async () => {
      await deps.beforeList?.().catch((err: Error) => deps.log.warn({ err: err.message }, 'reading the credentials store failed'));
      return deps.registry.list();
    });
    f.get<{ Params: { id: string } }>('/api/boxes/:id', async (req, reply) => {
      const box = deps.registry.get(req.params.id);
      if (!box) return reply.code(404).send({ ok: false, error: { code: 'BOX_UNKNOWN', message: `no box ${req.params.id}` } });
      return { ...box, telemetry: deps.telemetry.latest(box.id) };
    });
    f.get<{ Params: { id: string }; Querystring: { limit?: string } }>('/api/boxes/:id/events', async (req) =>
      deps.events.list(req.params.id, { limit: Number(req.query.limit ?? 50) || 50 }));
    f.get<{ Params: { id: string }; Querystring: { name?: string } }>('/api/boxes/:id/telemetry', async (req) =>
      req.query.name ? { name: req.query.name, history: deps.telemetry.history(req.params.id, req.query.name) } : deps.telemetry.latest(req.params.id));
    f.post<{ Params: { id: string } }>('/api/boxes/:id/commands', async (req, reply) => {
      const body = CommandBody.safeParse(req.body);
      if (!body.success) return fail(reply, new KefuError('REQUEST_INVALID', body.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')));
      try {
        await deps.beforeList?.().catch(() => undefined); // a box provisioned a moment ago is known, not BOX_UNKNOWN
        const progress: Array<{ progress: number; note?: string }> = [];
        const res = await deps.commands.send(req.params.id, body.data.name, body.data.args, { timeoutMs: body.data.timeoutMs, wait: body.data.wait, by: 'http-api', onProgress: (p) => progress.push(p) });
        return { ...res, progress };
      } catch (err) {
        return fail(reply, err);
      }
    });
    f.put<{ Params: { id: string } }>('/api/boxes/:id/config', async (req, reply) => {
      const body = ConfigBody.safeParse(req.body);
      if (!body.success) return fail(reply, new KefuError('REQUEST_INVALID', body.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')));
      try {
        const res = await deps.desiredConfig.set(req.params.id, body.data.config, { waitMs: body.data.waitMs });
        // published but not waited for: accepted, not applied (yet)
        if (!res.reported) return reply.code(202).send({ ok: true, ...res });
        if (res.reported.applied) return { ok: true, ...res };
        const error = res.reported.error ?? { code: 'CFG_REJECTED', message: `box ${req.params.id} did not apply config version ${res.version}` };
        return reply.code(422).send({ ok: false, ...res, error });
      } catch (err) {
        return fail(reply, err);
      }
    });
    f.post('/api/broadcast', async (req, reply) => {
      const body = BroadcastBody.safeParse(req.body);
      if (!body.success) return fail(reply, new KefuError('REQUEST_INVALID', body.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')));
      try {
        // every box provisioned so far is addressed (and reported offline if it never connected), not only those
        // the periodic credentials sync has seen
        await deps.beforeList?.().catch(() => undefined);
        return await deps.commands.broadcast(body.data.name, body.data.args, { region: body.data.region, timeoutMs: body.data.timeoutMs, by: 'http-api' });
      } catch (err) {
        return fail(reply, err);
      }
    });
    f.get('/api/stats', async () => deps.stats());
    f.get('/api/feed', { websocket: true }, (socket) => deps.feed.attach(socket));
    return f;
  }

  return {
    get url() { return url; },
    async start(): Promise<string> {
      if (app) return url;
      const f = await build();
      app = f;
      try {
        await f.listen({ host: deps.config.host, port: deps.config.port });
      } catch (err) {
        app = null;
        await f.close().catch(() => undefined);
        throw listenError(err, 'http', deps.config.host, deps.config.port);
      }
      const addr = f.server.address() as AddressInfo;
      const host = deps.config.host === '0.0.0.0' || deps.config.host === '::' ? '127.0.0.1' : deps.config.host;
      url = `${deps.config.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${addr.port}`;
      deps.log.info({ url }, 'master HTTP API listening');
      return url;
    },
    async stop() {
      const f = app;
      app = null;
      url = '';
      if (f) await f.close();
    },
  };
}
export type HttpServer = ReturnType<typeof createHttpServer>;
