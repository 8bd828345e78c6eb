// The embedded broker: aedes behind TCP, WebSocket and optional TLS listeners, with the policy's hooks.
import { Aedes, type Client } from 'aedes';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { readFile } from 'node:fs/promises';
import { once } from 'node:events';
import { listenError } from '../listen-error.js';
import { WebSocketServer, createWebSocketStream } from 'ws';
import type { Logger } from 'pino';
import type { CredentialStore } from '../credentials/credential-store.js';
import type { Principal } from './policy.js';
import type { EmbeddedBrokerConfig } from './broker-config.js';
import { createBrokerHooks, type BrokerCounters, type PublishInterceptor } from './broker-hooks.js';
import { createConnectLimiter } from './connect-limiter.js';
import { guardStream } from './packet-guard.js';
import { createTakeoverWatch } from './takeover-watch.js';

export interface BrokerAddresses { tcp?: { host: string; port: number }; ws?: { host: string; port: number; path: string; tls: boolean }; tls?: { host: string; port: number } }

export interface EmbeddedBroker {
  start(): Promise<BrokerAddresses>;
  stop(): Promise<void>;
  readonly addresses: BrokerAddresses;
  readonly counters: BrokerCounters;
  connectedClients(): number;
  /** boxes' publishes pass through this before their PUBACK (the master's in-process ingestion); null: none */
  setInterceptor(fn: PublishInterceptor | null): void;
}

export function createEmbeddedBroker(deps: { config: EmbeddedBrokerConfig; credentials: CredentialStore; log: Logger }): EmbeddedBroker {
  const { config, log } = deps;
  const counters: BrokerCounters = { connects: 0, authFailures: 0, rateLimited: 0, deniedPublish: 0, deniedSubscribe: 0, deniedWill: 0, oversize: 0, takeovers: 0 };
  const takeovers = createTakeoverWatch({ log });
  const addresses: BrokerAddresses = {};
  let aedes: Aedes | null = null;
  let servers: Array<TcpServer | HttpServer> = [];
  let wss: WebSocketServer | null = null;
  let starting: Promise<BrokerAddresses> | null = null;
  let revalidateTimer: NodeJS.Timeout | null = null;
  let interceptor: PublishInterceptor | null = null;

  const guard = (stream: import('node:stream').Duplex, address?: string) =>
    guardStream(stream, config.maximumPacketSize, address, () => {
      counters.oversize++;
      log.warn({ address }, 'connection closed: MQTT packet too large');
    });

  async function listen(server: TcpServer | HttpServer, key: string, host: string, port: number): Promise<number> {
    server.listen(port, host);
    try {
      await once(server, 'listening');
    } catch (err) {
      throw listenError(err, key, host, port);
    }
    servers.push(server);
    return (server.address() as AddressInfo).port;
  }

  async function doStart(): Promise<BrokerAddresses> {
    const hooks = createBrokerHooks({ credentials: deps.credentials, limiter: createConnectLimiter(config.connectRate), log, counters, intercept: () => interceptor });
    const remote = (c: Client) => (c.conn as { remoteAddress?: string } | undefined)?.remoteAddress;
    const broker: Aedes = await Aedes.createBroker({
      ...hooks,
      // aedes closes the older session of an id when it registers the new one, after this hook
      authenticate(client, username, password, done) {
        hooks.authenticate!(client, username, password, (err, ok) => {
          // aedes keeps its live clients by id; its typings leave the map out
          const older = ok ? (broker as unknown as { clients: Record<string, Client | undefined> }).clients[client.id] : undefined;
          if (older && older !== client) {
            counters.takeovers++;
            takeovers.takeover(client.id, remote(older), remote(client));
          }
          done(err, ok);
        });
      },
      keepaliveLimit: config.keepaliveLimitS,
      connectTimeout: config.connectTimeoutMs,
      maxClientsIdLength: 128,
    });
    aedes = broker;
    const live = new Set<Client>();
    broker.on('clientReady', (c) => live.add(c));
    broker.on('clientDisconnect', (c) => live.delete(c));
    // a box removed with `kefu master box remove` (or given a new password) loses its running session too, not only its next connect
    revalidateTimer = setInterval(() => {
      deps.credentials.principals().then((all) => {
        const key = (p: Principal) => `${p.role}:${p.username}:${p.role === 'box' ? p.region : ''}:${p.stamp ?? ''}`;
        const valid = new Set(all.map(key));
        for (const c of live) {
          const p = hooks.principalOf(c);
          if (p && !valid.has(key(p))) {
            log.warn({ clientId: c.id }, 'credential revoked: closing the session');
            c.close();
          }
        }
      }, (err: Error) => log.warn({ err: err.message }, 'credential revalidation failed'));
    }, config.revalidateMs);
    revalidateTimer.unref();
    broker.on('clientError', (client, err) => log.debug({ clientId: client.id, err: err.message }, 'client error'));
    broker.on('connectionError', (client, err) => log.debug({ clientId: client.id, err: err.message }, 'connection error'));
    const onSocket = (socket: Socket) => {
      socket.on('error', () => undefined); // the guard reports it to aedes; avoid an unhandled 'error'
      broker.handle(guard(socket, socket.remoteAddress));
    };
    if (config.tcp) {
      const port = await listen(createTcpServer(onSocket), 'broker.tcp', config.tcp.host, config.tcp.port);
      addresses.tcp = { host: config.tcp.host, port };
    }
    if (config.tls) {
      const [cert, key] = await Promise.all([readFile(config.tls.cert), readFile(config.tls.key)]);
      const port = await listen(createTlsServer({ cert, key }, onSocket), 'broker.tls', config.tls.host, config.tls.port);
      addresses.tls = { host: config.tls.host, port };
    }
    if (config.ws) {
      const upgradeOnly = (_req: unknown, res: import('node:http').ServerResponse) => res.writeHead(426, { 'content-type': 'text/plain' }).end('MQTT over WebSocket only\n');
      const wsTls = config.ws.tls ? { cert: await readFile(config.ws.tls.cert), key: await readFile(config.ws.tls.key) } : null;
      const http: HttpServer = wsTls ? createHttpsServer(wsTls, upgradeOnly) : createHttpServer(upgradeOnly);
      wss = new WebSocketServer({ server: http, path: config.ws.path, maxPayload: config.maximumPacketSize });
      wss.on('connection', (ws, req) => {
        const stream = createWebSocketStream(ws);
        stream.on('error', () => undefined);
        broker.handle(guard(stream, req.socket.remoteAddress), req);
      });
      const port = await listen(http, 'broker.ws', config.ws.host, config.ws.port);
      addresses.ws = { host: config.ws.host, port, path: config.ws.path, tls: wsTls !== null };
    }
    log.info({ addresses }, 'embedded broker listening');
    return addresses;
  }

  return {
    addresses,
    counters,
    connectedClients: () => aedes?.connectedClients ?? 0,
    setInterceptor(fn) { interceptor = fn; },
    start() {
      starting ??= doStart().catch(async (err) => { await this.stop(); throw err; });
      return starting;
    },
    async stop() {
      const broker = aedes;
      aedes = null;
      if (revalidateTimer) clearInterval(revalidateTimer);
      revalidateTimer = null;
      starting = null;
      if (broker) await new Promise<void>((resolve) => broker.close(() => resolve()));
      wss?.close();
      wss = null;
      const closing = servers.map((s) => new Promise<void>((resolve) => {
        s.close(() => resolve());
        if ('closeAllConnections' in s) s.closeAllConnections();
      }));
      servers = [];
      await Promise.all(closing);
      for (const k of Object.keys(addresses)) delete addresses[k as keyof BrokerAddresses];
    },
  };
}
