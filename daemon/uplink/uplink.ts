// The box's MQTT link: mqtt.js over a stream the TransportManager opens. The outbox owns at-least-once delivery:
// QoS 1 with a bounded in-flight window, delete on PUBACK, re-send everything un-acked after a reconnect.
// Reconnects are ours, not mqtt.js's fixed period: failed attempts back off (a refused login longest), a session
// that was up reconnects at once, and the login is read again at every attempt (a replaced password file).
import type { Duplex } from 'node:stream';
import { MqttClient, type IClientOptions } from 'mqtt';
import type { Logger } from 'pino';
import { topics, type BoxRef } from '../../protocol/topics.js';
import { PROTOCOL_VERSION, type OutboxClass, type StateMessage, type TelemetryMessage, type TransportKind } from '../../protocol/schemas.js';
import { KefuError } from '../../protocol/errors.js';
import type { Outbox } from '../outbox/index.js';
import { createDeferredDuplex } from '../../transports/deferred-duplex.js';
import { createVolatileStore } from './volatile-store.js';
import { createTelemetryLimiter } from './telemetry-limiter.js';
import { createTypedEvents } from './typed-events.js';
import { createOutboxPump } from './outbox-pump.js';
import { createBurstWatch } from '../burst-watch.js';
import { createReconnect } from './reconnect.js';

export type PluginStatus = NonNullable<StateMessage['plugins']>[string];
export interface TransportInfo { id: string; kind: TransportKind; quality: number | null }

export interface UplinkOptions {
  box: BoxRef;
  log: Logger;
  outbox: Outbox;
  /** a fresh byte stream to the broker over the best link (the TransportManager's openStream) */
  openStream: () => Promise<Duplex>;
  version: string;
  clientId?: string;
  username?: string;
  /** read from the secret file by the caller; never logged */
  password?: string;
  /** the login as it is now, read at every attempt (overrides username / password) */
  credentials?: () => { username?: string; password?: string };
  /** the broker refused the login: the caller may re-read its secret before the next attempt */
  onAuthRefused?: () => void;
  keepaliveSec?: number;
  /** first delay after a failed attempt, doubling (with jitter) per failure up to reconnectMaxMs */
  reconnectPeriodMs?: number;
  reconnectMaxMs?: number;
  connectTimeoutMs?: number;
  /** un-acked QoS 1 publishes at a time: enough to cover the round trip to the master's commit at full rate */
  inflightWindow?: number;
  /** the current link's own, smaller cap (a slow link); undefined = the window */
  inflightLimit?: () => number | undefined;
  protocolVersion?: 4 | 5;
  /** a persistent session lets the broker queue commands while the box is away; delivery does not depend on it */
  clean?: boolean;
  /** classes the current link may carry; undefined = all */
  allowedClasses?: () => readonly OutboxClass[] | undefined;
  transportInfo?: () => TransportInfo | null;
  pluginStates?: () => Record<string, PluginStatus>;
  /** minimum interval between two `tel/{name}` messages of one name */
  telemetryIntervalMs?: number;
  /** how often the outbox counters go out on `tel/outbox` */
  outboxTelemetryMs?: number;
  now?: () => number;
}

export interface UplinkEvents extends Record<string, unknown> {
  connected: { transport: string | null };
  disconnected: { reason: string };
  acked: { seq: number; id: string; cls: OutboxClass; topic: string };
  message: { topic: string; payload: Buffer };
}

export interface PublishNowOptions { qos?: 0 | 1; retain?: boolean }

/** a session that ends sooner than this after its CONNACK was taken away, refused, or its link is failing */
const SHORT_SESSION_MS = 10_000;

export function createUplink(opts: UplinkOptions) {
  const { box, log, outbox } = opts;
  const now = opts.now ?? Date.now;
  const window = opts.inflightWindow ?? 1024;
  const events = createTypedEvents<UplinkEvents>((event, err) => log.error({ err, event }, 'uplink listener failed'));
  const store = createVolatileStore();
  const subscriptions = new Set<string>();
  const shortSessions = createBurstWatch({ now });
  const limiter = createTelemetryLimiter<Record<string, unknown>>({
    intervalMs: opts.telemetryIntervalMs ?? 1000,
    now,
    send: (name, data) => publishRaw(topics.telemetry(box, name), { v: PROTOCOL_VERSION, ts: now(), data } satisfies TelemetryMessage, { qos: 0 }),
  });

  let client: MqttClient | null = null;
  let generation = 0;
  let stopping = false;
  let up = false;
  let stateTimer: NodeJS.Timeout | null = null;
  let outboxTimer: NodeJS.Timeout | null = null;
  let disposeReady: (() => void) | null = null;
  let lastError = 'not connected';
  let connectedAt = 0;
  const reconnect = createReconnect({
    log, now, baseMs: opts.reconnectPeriodMs ?? 1000, maxMs: opts.reconnectMaxMs ?? 60_000, onAuthRefused: opts.onAuthRefused,
    // mqtt.js's reconnect() would swap in fresh stores: keep ours (the outbox owns delivery; ours keeps nothing)
    reconnect: () => { if (client && !stopping && !client.connected) client.reconnect({ outgoingStore: store }); },
  });
  const counters = { connects: 0, disconnects: 0 };
  const pump = createOutboxPump({
    outbox, log, now, window, inflightLimit: opts.inflightLimit, allowedClasses: opts.allowedClasses,
    onAcked: (e) => { if (events.has('acked')) events.emit('acked', { seq: e.seq, id: e.id, cls: e.cls, topic: e.topic }); },
  });

  function stateMessage(online: boolean): StateMessage {
    return {
      v: PROTOCOL_VERSION, online, ts: now(), version: opts.version,
      transport: opts.transportInfo?.() ?? null,
      ...(opts.pluginStates ? { plugins: opts.pluginStates() } : {}),
    };
  }

  function publishRaw(topic: string, payload: unknown, o: PublishNowOptions, cb?: (err?: Error) => void): boolean {
    if (!client?.connected) return false;
    client.publish(topic, JSON.stringify(payload), { qos: o.qos ?? 0, retain: o.retain ?? false }, cb);
    return true;
  }

  function onConnect(): void {
    counters.connects++;
    reconnect.connected();
    connectedAt = now();
    const transport = opts.transportInfo?.()?.id ?? null;
    log.info({ transport, generation }, 'uplink connected');
    if (subscriptions.size > 0) {
      client!.subscribe([...subscriptions], { qos: 1 }, (err) => { if (err) log.warn({ err }, 'subscribe failed'); });
    }
    publishRaw(topics.state(box), stateMessage(true), { qos: 1, retain: true });
    limiter.flushHeld();
    events.emit('connected', { transport });
    pump.attach(client!);
  }

  function onClose(): void {
    const wasConnected = up;
    up = false;
    // forget the dead connection's QoS 1 packets: the outbox re-sends them, mqtt.js must not replay them too
    generation++;
    const outgoing = (client as unknown as { outgoing: Record<string, { cmd: string }> } | null)?.outgoing ?? {};
    for (const id of Object.keys(outgoing)) if (outgoing[id].cmd === 'publish') delete outgoing[id];
    const requeued = pump.detach();
    if (wasConnected) {
      counters.disconnects++;
      // our own stop closes the connection: nothing to warn about
      if (stopping) log.info({ requeued }, 'uplink closed');
      else log.warn({ requeued, reason: lastError }, 'uplink disconnected');
      // the broker closing each new session soon after it opens is most often another client with our client id
      const burst = !stopping && now() - connectedAt < SHORT_SESSION_MS ? shortSessions.hit() : null;
      if (burst !== null) {
        log.warn({ clientId: opts.clientId ?? box.box, sessions: burst, withinS: 60 },
          'the broker keeps closing the session soon after it opens: is another daemon running with this box id? (the master logs it too)');
      }
      events.emit('disconnected', { reason: lastError });
    }
    if (client && !stopping) reconnect.closed();
  }

  const uplink = {
    start(): void {
      if (client) return;
      // mqtt.js would fail every attempt silently (a stream error without a code): refuse loudly instead
      if (opts.password !== undefined && !opts.username) throw new KefuError('UPLINK_CONFIG_INVALID', 'master.username is required when a password is set');
      stopping = false;
      reconnect.start();
      const will = { topic: topics.state(box), payload: Buffer.from(''), qos: 1 as const, retain: true };
      const options: IClientOptions = {
        clientId: opts.clientId ?? box.box,
        username: opts.username,
        password: opts.password,
        keepalive: opts.keepaliveSec ?? 3,
        // 0: mqtt.js does not reconnect by itself; ./reconnect.ts does, with backoff
        reconnectPeriod: 0,
        connectTimeout: opts.connectTimeoutMs ?? 10_000,
        protocolVersion: opts.protocolVersion ?? 4,
        clean: opts.clean ?? false,
        // a refused CONNACK (auth backend down, broker busy) must not end an unattended box's link for good
        reconnectOnConnackError: true,
        queueQoSZero: false,
        resubscribe: false,
        outgoingStore: store,
        will,
        // mqtt.js's debug logger costs CPU on every packet even when off, and when on it prints the CONNECT
        // packet with the password: never hand it a logger
        log: () => {},
      };
      const streamBuilder = (c: MqttClient): Duplex => {
        // the will carries the time of this connection attempt; mqtt.js reads options.will right after this call
        c.options.will = { ...will, payload: Buffer.from(JSON.stringify(stateMessage(false))) };
        if (opts.credentials) Object.assign(c.options, opts.credentials());
        reconnect.attempt();
        return createDeferredDuplex(opts.openStream());
      };
      client = new MqttClient(streamBuilder as never, options);
      throttleKeepalive(client);
      client.on('connect', () => { up = true; onConnect(); });
      client.on('close', onClose);
      client.on('error', (err) => { lastError = err.message; reconnect.error(err); log.debug({ err: err.message }, 'uplink error'); });
      client.on('offline', () => log.debug('uplink offline'));
      client.on('message', (topic, payload) => events.emit('message', { topic, payload }));
      disposeReady = outbox.onReady(pump.schedule);
      const every = opts.outboxTelemetryMs ?? 10_000;
      outboxTimer = setInterval(() => uplink.telemetry('outbox', { ...outbox.stats() }), every);
    },

    /** Publishes `online:false` (a clean DISCONNECT does not fire the LWT), then closes. Time-boxed. */
    async stop(timeoutMs = 2000): Promise<void> {
      if (!client || stopping) return;
      stopping = true;
      pump.halt();
      const c = client;
      if (outboxTimer) clearInterval(outboxTimer);
      if (stateTimer) clearTimeout(stateTimer);
      reconnect.stop();
      outboxTimer = stateTimer = null;
      limiter.stop();
      disposeReady?.();
      disposeReady = null;
      const timeBoxed = <T>(p: Promise<T>) => Promise.race([p, new Promise<void>((r) => setTimeout(r, timeoutMs).unref())]);
      if (c.connected) {
        await timeBoxed(new Promise<void>((resolve) => { publishRaw(topics.state(box), stateMessage(false), { qos: 1, retain: true }, () => resolve()); }));
      }
      await timeBoxed(new Promise<void>((resolve) => c.end(false, {}, () => resolve())));
      if (!c.disconnected) c.end(true);
      // a link still being opened must not come up after stop(): destroying the proxy closes it on arrival
      (c as unknown as { stream?: Duplex }).stream?.destroy();
      client = null;
      onClose();
    },

    get connected(): boolean { return client?.connected ?? false; },

    on: events.on,
    once: events.once,

    /** Adds topic filters subscribed on every connect (QoS 1). */
    subscribe(filters: string[]): void {
      const fresh = filters.filter((f) => !subscriptions.has(f));
      for (const f of fresh) subscriptions.add(f);
      if (fresh.length > 0 && client?.connected) client.subscribe(fresh, { qos: 1 }, (err) => { if (err) log.warn({ err }, 'subscribe failed'); });
    },

    /**
     * Publishes now, bypassing the outbox (state, probes). QoS 1 resolves on PUBACK; rejects with UPLINK_OFFLINE
     * when there is no connection, or when it drops before the PUBACK.
     */
    publishNow(topic: string, payload: unknown, o: PublishNowOptions = {}): Promise<void> {
      return new Promise((resolve, reject) => {
        const gen = generation;
        const offline = () => new KefuError('UPLINK_OFFLINE', 'no connection to the broker');
        const dropped = events.on('disconnected', () => { dropped(); reject(offline()); });
        const ok = publishRaw(topic, payload, o, (err) => {
          dropped();
          if (gen !== generation) return;
          if (err) reject(new KefuError('UPLINK_PUBLISH_FAILED', err.message));
          else resolve();
        });
        if (!ok) { dropped(); reject(offline()); }
      });
    },

    /** `tel/{name}`, QoS 0, at most one per interval per name (latest wins). */
    telemetry(name: string, data: Record<string, unknown>): void {
      if (!stopping) limiter.offer(name, data);
    },

    /** Re-publishes the birth message (transport or plugin states changed); coalesced. */
    refreshState(delayMs = 200): void {
      if (stateTimer || stopping) return;
      stateTimer = setTimeout(() => {
        stateTimer = null;
        publishRaw(topics.state(box), stateMessage(true), { qos: 1, retain: true });
      }, delayMs);
    },

    /** Re-reads allowedClasses() and sends what may now go (call it when the link changes). */
    kick(): void { pump.schedule(); },

    /** Cuts a reconnect wait short (a new link, new credentials); the backoff count stays. */
    retryNow(): void { if (!stopping) reconnect.retryNow(); },
    /** The login changed: an attempt still carrying the old one is ended and a new one starts at once. */
    renewLogin(): void { if (!stopping) reconnect.renew(() => client?.stream?.destroy()); },

    /** The failure in progress while no session is up (null when connected or before the first attempt ends). */
    failure: reconnect.failure,

    stats() { return { connected: uplink.connected, inflight: pump.inflight, lastError, ...counters, ...pump.counters }; },
  };
  return uplink;
}

export type Uplink = ReturnType<typeof createUplink>;

/** restarts of the keepalive timer that a received ack may cause, at most one per this many ms */
const KEEPALIVE_RESTART_MS = 250;

/**
 * mqtt.js restarts its keepalive timer on every PUBACK it receives: a new Timeout and closure per event (~0.45 KB at
 * full rate, one more thing for the young-generation collector). An ack is proof of life against a keepalive of
 * seconds, so one restart per KEEPALIVE_RESTART_MS does the same job; a PINGRESP (force) always restarts it.
 */
function throttleKeepalive(client: MqttClient): void {
  const reschedule = client.reschedulePing.bind(client);
  let last = -Infinity;
  client.reschedulePing = (force?: boolean) => {
    const t = performance.now();
    if (!force && t - last < KEEPALIVE_RESTART_MS) return;
    last = t;
    reschedule(force);
  };
}
