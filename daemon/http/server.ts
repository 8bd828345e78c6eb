// The box's LAN HTTP + WebSocket server: shared assets at /_common/, plugin routes under /p/{name}/,
// the box page at /, status and metrics.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import type { Logger } from 'pino';
import { toErrorBody } from '../../protocol/errors.js';
import type { PluginHttp } from '../plugin-api.js';
import { loadHttpTls } from './tls-files.js';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const uplotDir = join(dirname(require.resolve('uplot')), '..', 'dist');

type Compilers = Required<NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>>;
/**
 * fastify requires its JSON-schema compilers (ajv, ajv-formats, fast-json-stringify: ~250 files, a good part of the
 * daemon's start) when it is constructed; our routes validate with zod, so load them only if a route ever declares
 * a JSON schema. (Custom compilers make fastify leave header schemas' key case alone: none of ours has one.)
 */
function lazySchemaCompilers(): Compilers {
  const fromFastify = createRequire(require.resolve('fastify'));
  let validator: Compilers['buildValidator'] | undefined;
  let serializer: Compilers['buildSerializer'] | undefined;
  return {
    buildValidator: (...a) => (validator ??= (fromFastify('@fastify/ajv-compiler') as () => Compilers['buildValidator'])())(...a),
    buildSerializer: (...a) => (serializer ??= (fromFastify('@fastify/fast-json-stringify-compiler') as () => Compilers['buildSerializer'])())(...a),
  };
}

export interface HttpOptions {
  host: string;
  port: number;
  tls?: { cert: string; key: string };
  bodyLimitBytes: number;
  log: Logger;
}

export async function createHttpServer(opts: HttpOptions) {
  const https = opts.tls ? await loadHttpTls(opts.tls) : undefined;
  const app: FastifyInstance = Fastify({
    bodyLimit: opts.bodyLimitBytes, schemaController: { compilersFactory: lazySchemaCompilers() }, ...(https ? { https } : {}),
  }) as unknown as FastifyInstance;
  // no per-request logging: the LAN serves many terminals; errors are logged once here
  app.setErrorHandler((err, req, reply) => {
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    if (status >= 500) opts.log.error({ err: toErrorBody(err), url: req.url }, 'request failed');
    const body = toErrorBody(err);
    reply.status(status).send({ error: { code: (err as { code?: string }).code ?? body.code, message: body.message } });
  });
  // terminals trust the hall CA once: offer it for download next to the box page
  const caFile = opts.tls ? join(dirname(opts.tls.cert), 'ca.crt') : null;
  if (caFile && existsSync(caFile)) {
    app.get('/ca.crt', async (_req, reply) => reply.type('application/x-x509-ca-cert').send(await readFile(caFile)));
  }
  await app.register(fastifyWebsocket, { options: { maxPayload: 1024 * 1024 } });
  // browsers ask for /favicon.ico on every page; the icon lives with the shared styles
  app.get('/favicon.ico', (_req, reply) => reply.redirect('/_common/favicon.svg', 301));
  await app.register(fastifyStatic, { root: join(here, '..', 'web-common'), prefix: '/_common/' });
  await app.register(fastifyStatic, { root: uplotDir, prefix: '/_common/uplot/', decorateReply: false });
  await app.register(fastifyStatic, { root: join(here, '..', 'web'), prefix: '/', decorateReply: false, index: 'index.html' });

  /** The HTTP facade one plugin sees: everything under /p/{name}/, answered 503 while the plugin is not running. */
  function pluginHttp(name: string, isRunning: () => boolean): PluginHttp {
    const prefix = `/p/${name}`;
    const notRunning = { error: { code: 'PLUGIN_NOT_RUNNING', message: `plugin ${name} is not running` } };
    return {
      route(route) {
        const handler = route.handler;
        app.route({
          ...route,
          url: `${prefix}${route.url}`,
          handler(req, reply) {
            if (!isRunning()) return reply.status(503).send(notRunning);
            return handler.call(this, req, reply);
          },
        });
      },
      ws(url, handler) {
        app.get(`${prefix}${url}`, { websocket: true }, (socket, req) => {
          if (!isRunning()) { socket.close(1013, 'PLUGIN_NOT_RUNNING'); return; }
          handler(socket, req);
        });
      },
      static(dir) {
        void app.register(fastifyStatic, { root: dir, prefix: `${prefix}/`, decorateReply: false, index: 'index.html' });
      },
    };
  }

  return {
    app,
    pluginHttp,
    async listen(): Promise<string> {
      await app.listen({ host: opts.host, port: opts.port });
      const addr = app.server.address();
      const port = typeof addr === 'object' && addr ? addr.port : opts.port;
      const host = opts.host === '0.0.0.0' || opts.host === '::' ? 'localhost' : opts.host;
      return `${https ? 'https' : 'http'}://${host}:${port}`;
    },
    async close(): Promise<void> { await app.close(); },
  };
}

export type HttpServer = Awaited<ReturnType<typeof createHttpServer>>;
