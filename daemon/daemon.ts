// The box daemon's composition root: builds every service, wires them, and owns start/stop order.
// Constructing does no I/O; start() opens in dependency order; stop() closes in reverse and is idempotent.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import mqttPacket from 'mqtt-packet';
import type { Logger } from 'pino';
import { topics, type BoxRef } from '../protocol/topics.js';
import { toErrorBody } from '../protocol/errors.js';
import type { Transport } from '../transports/transport.js';
import { createTransportManager, type TransportManager } from '../transports/manager/index.js';
import { moreTelling, type ConnectFailure } from '../transports/manager/connect-retry.js';
import { loadPlugins, loadTransports } from './builtins.js';
import { brokerAddress } from './broker-address.js';
import { createCommandRouter, createDesiredConfig, type CommandRouter, type DesiredConfig } from './commands/index.js';
import type { LoadedConfig } from './config/load.js';
import { createControlServer, type ControlServer } from './control/server.js';
import { controlSocketPath } from './control/protocol.js';
import { registerDaemonCommands, registerControlMethods, applyRemoteConfig } from './daemon-api.js';
import { createEventBus, type EventBus } from './event-bus.js';
import { createHttpServer, type HttpServer } from './http/server.js';
import { createMetrics } from './metrics.js';
import { createOutbox, type Outbox } from './outbox/index.js';
import { pluginContextFactory } from './plugins/context.js';
import { createPluginHost, type PluginHost } from './plugins/host.js';
import { readSecret } from './secrets.js';
import { createCredentialSource, type CredentialSource } from './uplink/credentials.js';
import type { DaemonStatus } from './status.js';
import { createRootStore, sublevel, type RootStore } from './store.js';
import { createPluginUplink, createUplink, type Uplink } from './uplink/index.js';
import { VERSION } from './version.js';

export interface Daemon {
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): DaemonStatus;
  readonly httpUrl: string;
}

interface Running {
  store: RootStore; bus: EventBus; outbox: Outbox; manager: TransportManager; uplink: Uplink;
  router: CommandRouter; desired: DesiredConfig; http: HttpServer; host: PluginHost; control: ControlServer; creds: CredentialSource; disposers: Array<() => void>;
}

export function createDaemon(config: LoadedConfig, log: Logger): Daemon {
  const { root } = config;
  const box: BoxRef = { region: root.box.region, box: root.box.id };
  const startedAt = Date.now();
  let r: Running | null = null;
  let httpUrl = '';
  let connectedSince: number | null = null;

  function status(): DaemonStatus {
    const plugins = r?.host.list() ?? [];
    const outbox = r?.outbox.stats();
    const count = (c?: Record<string, number>) => Object.values(c ?? {}).reduce((a, b) => a + b, 0);
    return {
      box: { id: box.box, region: box.region }, version: VERSION, uptimeSeconds: (Date.now() - startedAt) / 1000, httpUrl,
      uplink: { connected: connectedSince !== null, url: root.master.url, since: connectedSince, lastError: connectedSince === null ? lastConnectError() : null },
      transport: r?.manager.current() ?? null,
      outbox: { pending: count(outbox?.pending), bytes: outbox?.bytes ?? 0, lost: count(outbox?.losses) },
      plugins,
      apps: plugins.filter((p) => p.status === 'running').flatMap((p) => appLinks[p.name] ?? []),
    };
  }

  /** Why the box is not connected: the uplink's own failure, or, when it has no link to try, the links'. */
  function lastConnectError(): DaemonStatus['uplink']['lastError'] {
    const own = r?.uplink.failure() ?? null;
    const link = r?.manager.lastFailure() ?? null;
    // the uplink's "no link to try" says less than any link's own failure
    const mine = own && (own.kind !== 'local' || !link) ? { ...own, link: null } : null;
    const pick = moreTelling<ConnectFailure & { link: string | null }>(mine, link);
    return pick ? { code: pick.code, message: pick.message, at: pick.at, since: pick.since, attempts: pick.attempts, link: pick.link } : null;
  }

  return {
    get httpUrl() { return httpUrl; },
    status,

    async start() {
      if (r) return;
      // mqtt-packet's first packet would build a table of all 65,536 two-byte numbers (7 MB of heap, 30–170 ms at
      // start, before the box can go online) to save a 2-byte allocation per packet: write numbers as they come.
      // A switch of the process's one mqtt-packet, the same one mqtt.js's `writeCache: false` flips.
      mqttPacket.writeToStream.cacheNumbers = false;
      await mkdir(root.dataDir, { recursive: true });
      const store = createRootStore(join(root.dataDir, 'store'));
      await store.open();
      const bus = createEventBus((event, owner, err) => log.error({ event, owner, err: toErrorBody(err) }, 'bus listener failed'));
      const broker = await brokerAddress(root.master);
      // re-read after a refused login and when the file changes: a rotated password needs no restart
      const creds = createCredentialSource({ username: root.master.username, passwordFile: root.master.passwordFile, log: log.child({ module: 'uplink' }),
        onChange: () => { r?.manager.retryNow(); r?.uplink.renewLogin(); } });
      await creds.start();
      const tctx = { log, dataDir: root.dataDir, readSecret };
      const definitions = await loadTransports(config.transports.map((t) => t.kind));
      const transports: Transport[] = config.transports.map((t) => {
        const def = definitions.get(t.kind)!;
        return def.create({ ...tctx, log: log.child({ module: `transport:${t.kind}`, link: t.id }) }, t);
      });
      const manager = createTransportManager({
        transports, broker, log,
        probeIdentity: { clientId: box.box }, credentials: creds.current, onAuthRefused: () => void creds.refresh(),
        options: { ...root.failover, order: root.failover?.order ?? config.transports.map((t) => t.id) },
      });
      const outbox = createOutbox({ store: sublevel(store, 'outbox'), log: log.child({ module: 'outbox' }),
        maxBytes: root.outbox.maxBytes, groupCommitMs: root.outbox.groupCommitMs, memoryBytes: root.outbox.memoryBytes,
        walDir: root.outbox.wal ? join(root.dataDir, 'outbox-wal') : undefined, walMaxBytes: root.outbox.walMaxBytes, syncEveryMs: root.outbox.syncEveryMs });
      await outbox.open();
      let host: PluginHost | undefined;
      const uplink = createUplink({
        box, log: log.child({ module: 'uplink' }), outbox, version: VERSION,
        openStream: () => manager.openStream(broker),
        username: root.master.username, password: creds.current().password, keepaliveSec: root.master.keepaliveSeconds,
        credentials: creds.current, onAuthRefused: () => void creds.refresh(),
        ...root.uplink,
        allowedClasses: () => manager.allowedClasses(),
        inflightLimit: () => manager.inflightLimit(),
        transportInfo: () => manager.current(),
        pluginStates: () => host?.statuses() ?? {},
      });
      const desired = createDesiredConfig({
        box, log: log.child({ module: 'cfg' }), link: uplink, outbox, store: sublevel(store, 'cfg'),
        apply: (cfg) => applyRemoteConfig(cfg.config, { manager, log }),
        rollback: () => manager.setOrder(root.failover?.order ?? config.transports.map((t) => t.id)),
      });
      const router = createCommandRouter({
        box, log: log.child({ module: 'commands' }), link: uplink, outbox, store: sublevel(store, 'commands'),
        allow: root.commands.allow.concat(root.commands.deny.map((d) => `!${d}`)),
        onCfg: (payload) => desired.onPayload(payload),
      });
      const metrics = createMetrics();
      const http = await createHttpServer({ ...root.http, log: log.child({ module: 'http' }) });
      host = createPluginHost({
        log: log.child({ module: 'plugins' }),
        definitions: await loadPlugins(Object.keys(config.plugins)),
        configs: config.plugins,
        onStatus: (rec) => { bus.emit('plugin.state', { plugin: rec.name, status: rec.status, error: rec.error?.message }); uplink.refreshState(); },
        makeContext: pluginContextFactory({
          log, bus, store, metrics, readSecret,
          box: { id: box.box, region: box.region, dataDir: root.dataDir, version: VERSION },
          uplink: (plugin) => createPluginUplink({ box, outbox, uplink }, plugin),
          commands: (plugin) => router.scoped(plugin),
          http: http.pluginHttp,
        }),
      });
      const control = createControlServer({ path: controlSocketPath(root.dataDir), log: log.child({ module: 'control' }) });
      const disposers = [
        manager.onSwitch((ev) => {
          bus.emit('transport.switch', { from: ev.from, to: ev.to, reason: ev.reason });
          uplink.refreshState();
          uplink.kick(); // the new link may carry other classes
          if (ev.to !== null) uplink.retryNow(); // a new path: no need to sit out a backoff run up on the old one
          void outbox.enqueue({ topic: topics.event(box, 'transport', 'switch'), class: 'event', data: ev }).catch((err) => log.error({ err: toErrorBody(err) }, 'switch event not stored'));
        }),
        ...transports.flatMap((t) => t.onSignal ? [t.onSignal((sample) => uplink.telemetry('signal', { link: t.id, kind: t.kind, ...sample }))] : []),
        uplink.on('connected', (e) => { connectedSince = Date.now(); bus.emit('uplink.connected', e); }),
        uplink.on('disconnected', (e) => { connectedSince = null; bus.emit('uplink.disconnected', e); }),
      ];
      r = { store, bus, outbox, manager, uplink, router, desired, http, host, control, creds, disposers };
      const deps = { host, manager, router, outbox, uplink, status };
      registerDaemonCommands(router, deps);
      registerControlMethods(control, deps);
      http.app.get('/api/status', async () => status());
      http.app.get('/metrics', async (_req, reply) => reply.type('text/plain').send(await metrics.registry.metrics()));

      await host.setup();
      httpUrl = await http.listen();
      await control.start();
      await manager.start();
      // the master's link order (and whatever else `cfg` sets) survives a restart: in force before the uplink
      // connects (after manager.start, which builds its ranking from the local config)
      await desired.restore();
      await router.start();
      uplink.start();
      await host.start();
      log.info({ box: `${box.region}/${box.box}`, http: httpUrl, transports: transports.map((t) => t.id) }, 'daemon started');
    },

    async stop() {
      if (!r) return;
      const x = r;
      r = null;
      // plugins first (they may still publish), then the link, then the stores
      await x.host.stop().catch((err) => log.error({ err: toErrorBody(err) }, 'plugins stop failed'));
      await x.router.stop();
      x.desired.stop();
      await x.uplink.stop();
      await x.manager.stop();
      x.creds.stop();
      for (const d of x.disposers) d();
      await x.control.stop().catch(() => undefined);
      await x.http.close().catch(() => undefined);
      await x.outbox.close();
      await x.store.close();
      log.info('daemon stopped');
    },
  };
}

/** Web apps the box page links to, by plugin. */
const appLinks: Record<string, Array<{ key: string; url: string }>> = {
  chat: [{ key: 'app.chat.terminal', url: '/p/chat/terminal.html' }, { key: 'app.chat.agent', url: '/p/chat/agent.html' }],
  video: [{ key: 'app.video.call', url: '/p/video/call.html' }],
  faceauth: [{ key: 'app.faceauth.enroll', url: '/p/faceauth/enroll.html' }, { key: 'app.faceauth.login', url: '/p/faceauth/login.html' }],
};
