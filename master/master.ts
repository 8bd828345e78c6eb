// Composition root of the master center: broker (embedded aedes or an external cluster), the master's MQTT
// link, fleet registry, ingestion, command API, HTTP API and dashboard. The factory only wires; start() does I/O.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { createRootStore, type RootStore } from '../daemon/store.js';
import { silentLogger } from '../daemon/logger.js';
import { timeBox } from '../daemon/time-box.js';
import { CommandError, ConfigError } from '../protocol/errors.js';
import { parseTopic } from '../protocol/topics.js';
import type { PublishInterceptor } from './broker/broker-hooks.js';
import { createEmbeddedBroker, type EmbeddedBroker } from './broker/embedded-broker.js';
import { createCommandApi } from './commands/command-api.js';
import { createDesiredConfigApi } from './commands/desired-config-api.js';
import { parseMasterConfig, type MasterConfig, type MasterConfigInput } from './config.js';
import { checkConfigFiles } from './config-files.js';
import { createCredentialStore, ensureBoxCredential, ensureServiceCredential } from './credentials/credential-store.js';
import { generatePassword } from './credentials/password-hash.js';
import { ensureSecretFile, readSecret } from './credentials/secret-file.js';
import { createFleetRegistry } from './fleet/registry.js';
import { createFeedHub } from './http/feed-hub.js';
import { createHttpServer, type HttpServer } from './http/http-server.js';
import { createEventStore, type EventStore } from './ingest/event-store.js';
import { createIngestStats } from './ingest/ingest-stats.js';
import { createIngestor, type Ingestor } from './ingest/ingestor.js';
import { createTelemetryStore } from './ingest/telemetry-store.js';
import { createMasterLink, type MasterLink } from './link/master-link.js';

export interface MasterUrls {
  /** the API and dashboard as others reach it (publicHost for a listener on all interfaces) */
  http: string;
  dashboard: string;
  /** broker URLs for boxes (embedded mode); the external URL otherwise */
  mqtt?: string;
  ws?: string;
  mqtts?: string;
}

/** Where the CLI finds a running master (`{dataDir}/master.json`). */
export const RUNTIME_FILE = 'master.json';
export const HTTP_TOKEN_FILE = 'http.token';
export const SERVICE_SECRET_FILE = 'service.secret';

const PRUNE_EVERY_MS = 3600_000;
const STOP_STEP_MS = 5000;
const KNOWN_SYNC_MS = 2_000;

const wildcard = (host: string) => host === '0.0.0.0' || host === '::' || host === '';
const loopback = (host: string) => host === 'localhost' || host === '::1' || host.startsWith('127.');
const bracket = (host: string) => (host.includes(':') ? `[${host}]` : host);

export function createMaster(input: MasterConfigInput, opts: { log?: Logger } = {}) {
  const config: MasterConfig = parseMasterConfig(input);
  const log = opts.log ?? silentLogger();
  const credentials = createCredentialStore({ dataDir: config.dataDir });
  const registry = createFleetRegistry();
  const telemetry = createTelemetryStore({ historyLength: config.ingest.telemetryHistory });
  const ingestStats = createIngestStats();
  const broker: EmbeddedBroker | null = config.external ? null : createEmbeddedBroker({ config: config.broker, credentials, log: log.child({ module: 'master:broker' }) });
  // until ingestion runs (and once it stopped), a box's event is refused without a PUBACK, so the box keeps it:
  // the broker would otherwise acknowledge it to nobody
  const eventsNotReady: PublishInterceptor = (topic) => (parseTopic(topic)?.kind === 'event' ? Promise.reject(new Error('the master is not ingesting')) : null);
  broker?.setInterceptor(eventsNotReady);
  let link: MasterLink | null = null;
  let root: RootStore | null = null;
  let events: EventStore | null = null;
  let ingestor: Ingestor | null = null;
  let http: HttpServer | null = null;
  let pruneTimer: NodeJS.Timeout | null = null;
  let knownTimer: NodeJS.Timeout | null = null;
  let started: Promise<MasterUrls> | null = null;
  // master.json is removed on stop only if this instance wrote it: a start that failed (a store locked by another
  // master) must not delete the running one's
  let wroteRuntime = false;
  const urls: Partial<MasterUrls> = {};
  /** the URL keys whose listener is on all interfaces while no publicHost says which name boxes use */
  const allInterfaces: Array<keyof MasterUrls> = [];
  /** what is wrong but does not stop the master (a certificate that does not name publicHost), from the last start */
  const warnings: string[] = [];
  // the host boxes and browsers use for a listener: its own address, else publicHost, else (here) loopback
  const shown = (key: keyof MasterUrls, host: string) => {
    if (!wildcard(host)) return bracket(host);
    if (config.publicHost) return bracket(config.publicHost);
    allInterfaces.push(key);
    return '127.0.0.1';
  };
  // passwords and the API token must not cross a network in clear
  const plainOffLoopback = (what: string, host: string) => {
    if (!loopback(host)) log.warn({ listener: what, host }, `${what} listens without TLS on ${host}: passwords and tokens cross the network in clear; bind it to 127.0.0.1 or use TLS`);
  };

  const client = () => {
    if (!link) throw new CommandError('MASTER_NOT_STARTED', 'the master is not started');
    return link.client;
  };
  const commands = createCommandApi({ client, registry, log: log.child({ module: 'master:commands' }), defaultTimeoutMs: config.commands.defaultTimeoutMs });

  const desiredConfig = createDesiredConfigApi({ client, registry, log: log.child({ module: 'master:config' }) });

  const stats = () => ({
    ingest: ingestStats.snapshot(),
    broker: broker ? { ...broker.counters, connectedClients: broker.connectedClients() } : null,
    boxes: { total: registry.list().length, online: registry.list().filter((b) => b.online).length },
    commandsPending: commands.pending(),
  });
  const feed = createFeedHub({ registry, stats });

  async function connectLink(): Promise<MasterLink> {
    if (config.external) {
      const ext = config.external;
      const password = await readSecret(ext.passwordFile ?? join(config.dataDir, SERVICE_SECRET_FILE));
      const ca = ext.caFile ? Buffer.from(await readSecret(ext.caFile)) : undefined;
      return createMasterLink({ url: ext.url, username: ext.username, password, ca, clientId: `${ext.username}-${ext.workerId}`, protocolVersion: ext.sharedSubscriptions ? 5 : 4 }, log.child({ module: 'master:link' }));
    }
    if (!config.broker.tcp) throw new ConfigError(['broker.tcp: the master reaches its embedded broker over TCP; bind it to 127.0.0.1 for a TLS-only deployment']);
    const password = await ensureServiceCredential(credentials, join(config.dataDir, SERVICE_SECRET_FILE), config.serviceUser);
    const addrs = await broker!.start();
    if (addrs.tcp) urls.mqtt = `mqtt://${shown('mqtt', addrs.tcp.host)}:${addrs.tcp.port}`;
    if (addrs.ws) urls.ws = `${addrs.ws.tls ? 'wss' : 'ws'}://${shown('ws', addrs.ws.host)}:${addrs.ws.port}${addrs.ws.path}`;
    if (addrs.tls) urls.mqtts = `mqtts://${shown('mqtts', addrs.tls.host)}:${addrs.tls.port}`;
    if (addrs.tcp) plainOffLoopback('broker.tcp', addrs.tcp.host);
    if (addrs.ws && !addrs.ws.tls) plainOffLoopback('broker.ws', addrs.ws.host);
    const host = addrs.tcp!.host === '0.0.0.0' || addrs.tcp!.host === '::' ? '127.0.0.1' : addrs.tcp!.host;
    return createMasterLink({ url: `mqtt://${host}:${addrs.tcp!.port}`, username: config.serviceUser, password, clientId: `${config.serviceUser}-main` }, log.child({ module: 'master:link' }));
  }

  const syncKnown = async () => {
    for (const b of await credentials.listBoxes()) registry.ensureKnown(b.id, b.region);
  };

  async function doStart(): Promise<MasterUrls> {
    allInterfaces.length = 0;
    warnings.length = 0;
    for (const w of await checkConfigFiles(config)) {
      warnings.push(w);
      log.warn(w);
    }
    await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
    root = createRootStore(join(config.dataDir, 'store'));
    await root.open();
    events = createEventStore(root);
    await syncKnown();
    if (config.external) urls.mqtt = config.external.url;
    link = await connectLink();
    await link.start();
    ingestor = createIngestor({
      client, registry, events, telemetry, commands, stats: ingestStats, log: log.child({ module: 'master:ingest' }),
      maxPayloadBytes: config.ingest.maxPayloadBytes, sharedGroup: config.external?.sharedSubscriptions ? config.external.sharedGroup : null,
      onEvent: (e) => feed.event(e),
      ...(broker ? { inProcess: broker } : {}),
    });
    await ingestor.start();
    const token = await ensureSecretFile(config.http.tokenFile ?? join(config.dataDir, HTTP_TOKEN_FILE), generatePassword);
    http = createHttpServer({ config: config.http, token, registry, events, telemetry, commands, desiredConfig, feed, stats, beforeList: syncKnown, log: log.child({ module: 'master:http' }) });
    const local = await http.start();
    const pub = new URL(local);
    pub.hostname = shown('http', config.http.host);
    urls.http = pub.origin;
    urls.dashboard = `${urls.http}/`;
    if (!config.http.tls) plainOffLoopback('http', config.http.host);
    feed.start();
    const prune = async () => {
      try {
        await events?.pruneEvents(registry.list().map((b) => b.id), Date.now() - config.ingest.eventRetentionMs);
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'event store clean-up failed');
      }
    };
    void prune();
    pruneTimer = setInterval(prune, PRUNE_EVERY_MS);
    pruneTimer.unref();
    // boxes added with `kefu master box add` while running show up on the dashboard before they first connect
    // (the API's box list syncs on each request too); listBoxes only re-reads the file when it changed
    knownTimer = setInterval(() => { syncKnown().catch(() => undefined); }, KNOWN_SYNC_MS);
    knownTimer.unref();
    // `api`: where commands on this machine reach the API (loopback for a listener on all interfaces)
    await writeFile(join(config.dataDir, RUNTIME_FILE), `${JSON.stringify({ pid: process.pid, ...urls, api: local })}\n`);
    wroteRuntime = true;
    log.info({ urls }, 'master started');
    return urls as MasterUrls;
  }

  async function doStop(): Promise<void> {
    const step = async (what: string, fn: () => Promise<unknown> | unknown) => {
      try { await timeBox(`stopping ${what}`, STOP_STEP_MS, fn); } catch (err) { log.warn({ err: (err as Error).message }, `stopping ${what} failed`); }
    };
    if (pruneTimer) clearInterval(pruneTimer);
    if (knownTimer) clearInterval(knownTimer);
    pruneTimer = null;
    knownTimer = null;
    feed.stop();
    commands.stop();
    await step('http', () => http?.stop());
    await step('ingestor', () => ingestor?.stop());
    broker?.setInterceptor(eventsNotReady);
    await step('link', () => link?.stop());
    await step('broker', () => broker?.stop());
    await step('store', () => root?.close());
    if (wroteRuntime) await step('runtime file', () => rm(join(config.dataDir, RUNTIME_FILE), { force: true }));
    wroteRuntime = false;
    http = null; ingestor = null; link = null; root = null; events = null;
    for (const k of Object.keys(urls)) delete urls[k as keyof MasterUrls];
  }

  let stopping: Promise<void> | null = null;
  return {
    config,
    credentials,
    registry,
    commands,
    /** desired config per box (retained `cfg`) */
    desiredConfig,
    telemetry,
    /** the event store (available after start) */
    get events(): EventStore {
      if (!events) throw new ConfigError(['master not started']);
      return events;
    },
    urls: urls as Readonly<Partial<MasterUrls>>,
    /** URL keys whose listener is on all interfaces with no publicHost set: their URL shows 127.0.0.1 */
    allInterfaces: allInterfaces as readonly (keyof MasterUrls)[],
    warnings: warnings as readonly string[],
    stats,
    /**
     * Gives a box its broker credential (idempotent: an existing matching secret file is reused) and returns
     * what the box's `master:` config needs. For `kefu up` and installers; call after start() for the URL.
     */
    async provisionBox(id: string, region: string, secretFile = join(config.dataDir, 'boxes', `${id}.secret`)) {
      await ensureBoxCredential(credentials, id, region, secretFile);
      registry.ensureKnown(id, region);
      return { url: urls.mqtt ?? null, username: id, clientId: id, passwordFile: secretFile };
    },
    start(): Promise<MasterUrls> {
      started ??= (stopping ?? Promise.resolve()).then(doStart).catch(async (err) => { await doStop(); started = null; throw err; });
      return started;
    },
    async stop(): Promise<void> {
      if (!started) return stopping ?? undefined;
      const wasStarting = started;
      started = null;
      stopping = wasStarting.then(() => true, () => false).then(async (wasRunning) => {
        await doStop();
        if (wasRunning) log.info('master stopped');
      });
      await stopping;
    },
  };
}
export type Master = ReturnType<typeof createMaster>;
