// Everything boxes send, validated and routed: state → registry, events → store (deduped), telemetry →
// latest values, results → command waiters, cfg/reported → registry. A bad message is counted by code and
// logged (rate-limited), never thrown. Events are group-committed (see group-commit.ts) and their PUBACK
// waits for the commit, so nobody forgets what level does not hold yet. With the embedded broker, events are
// taken from the broker in-process before it acknowledges them to the box (one hop, no second MQTT leg);
// with an external broker they come over the master's subscription and its PUBACK is deferred
// (deferred-puback.ts).
import type { MqttClient, IPublishPacket } from 'mqtt';
import type { Logger } from 'pino';
import { decodePayload } from '../../protocol/decode.js';
import { CfgReportedMessage, EventEnvelope, ResultMessage, StateMessage, TelemetryMessage } from '../../protocol/schemas.js';
import { masterSubscriptions, parseTopic } from '../../protocol/topics.js';
import type { PublishInterceptor } from '../broker/broker-hooks.js';
import type { CommandApi } from '../commands/command-api.js';
import type { FleetRegistry } from '../fleet/registry.js';
import { deferPubacks, type DeferredPuback } from './deferred-puback.js';
import type { EventRef, EventStore, PutOutcome, StoredEvent } from './event-store.js';
import { createGroupCommit } from './group-commit.js';
import type { IngestStats } from './ingest-stats.js';
import type { TelemetryStore } from './telemetry-store.js';

export interface IngestorDeps {
  client: () => MqttClient;
  registry: FleetRegistry;
  events: EventStore;
  telemetry: TelemetryStore;
  commands: CommandApi;
  stats: IngestStats;
  log: Logger;
  maxPayloadBytes: number;
  /** MQTT 5 shared-subscription group for events and telemetry (null: plain subscriptions) */
  sharedGroup: string | null;
  onEvent?: (e: StoredEvent) => void;
  /** most events in one level batch */
  maxBatch?: number;
  /** the embedded broker: events are ingested from it in-process instead of over the master's subscription */
  inProcess?: { setInterceptor(fn: PublishInterceptor | null): void };
}

const STORE_RETRY_MS = 1000;

/** ack: the event is stored (PUBACK it); fail: it will not be (stopping), the sender keeps it */
interface PendingEvent { ref: EventRef; env: EventEnvelope; raw: Buffer; ack: () => void; fail: (err: Error) => void; receivedAt: number }

const noop = () => undefined;

/**
 * Events and telemetry can be split between master workers; state, results and cfg must reach each one.
 * Events taken in-process from the embedded broker are not subscribed to.
 */
export function subscriptionFilters(sharedGroup: string | null, eventsInProcess = false): string[] {
  return masterSubscriptions
    .filter((f) => !(eventsInProcess && f.includes('/evt/')))
    .map((f) => (sharedGroup && (f.includes('/evt/') || f.includes('/tel/')) ? `$share/${sharedGroup}/${f}` : f));
}

export function createIngestor(deps: IngestorDeps) {
  const { registry, stats, log } = deps;
  const lastLogged = new Map<string, number>();
  let client: MqttClient | null = null;
  let acks: DeferredPuback | null = null;
  let lastStoreError: Error | null = null; // one log line per failed batch, not per event
  let stopping = false;
  const retries = new Map<NodeJS.Timeout, PendingEvent>();

  const batcher = createGroupCommit<PendingEvent, PutOutcome>({
    maxBatch: deps.maxBatch ?? 2000,
    commit(items) {
      stats.counters.commits++;
      const now = Date.now();
      for (const it of items) it.receivedAt = now;
      return deps.events.putMany(items, now);
    },
    onCallbackError: (err) => log.error({ err: err.message }, 'event callback failed'),
  });

  function committed(item: PendingEvent, err: Error | null, outcome?: PutOutcome) {
    if (err) {
      // still no PUBACK, so the broker (or the box) keeps the message; try again while the master runs (a full
      // disk may be cleared), and after a restart it is delivered again
      stats.reject('INGEST_FAILED');
      if (err !== lastStoreError) log.error({ err: err.message, box: item.ref.box }, 'storing events failed: retrying');
      lastStoreError = err;
      if (stopping) return item.fail(err);
      const timer = setTimeout(() => {
        retries.delete(timer);
        batcher.add(item, (e, o) => committed(item, e, o));
      }, STORE_RETRY_MS);
      retries.set(timer, item);
      return;
    }
    lastStoreError = null;
    item.ack();
    if (outcome === 'duplicate') { stats.counters.duplicates++; return; }
    stats.event(item.receivedAt);
    const { ref, env } = item;
    deps.onEvent?.({ id: env.id, box: ref.box, region: ref.region, plugin: ref.plugin, type: ref.type, seq: env.seq, ts: env.ts, data: env.data, receivedAt: item.receivedAt });
  }

  function reject(code: string, topic: string, message: string) {
    stats.reject(code);
    const key = `${code} ${topic.split('/').slice(0, 4).join('/')}`;
    const now = Date.now();
    if ((lastLogged.get(key) ?? 0) + 10_000 > now) return;
    if (lastLogged.size > 1000) lastLogged.clear();
    lastLogged.set(key, now);
    log.warn({ code, topic, reason: message.slice(0, 300) }, 'message rejected');
  }

  /** Validates and queues an event; `ack` runs once it is stored (or found to be a duplicate). */
  function takeEvent(topic: string, t: { region: string; box: string; plugin: string; type: string }, payload: Buffer, ack: () => void, fail: (err: Error) => void): boolean {
    const d = decodePayload(EventEnvelope, payload, deps.maxPayloadBytes);
    if (!d.ok) {
      reject(d.code, topic, d.message);
      return false;
    }
    registry.touch({ region: t.region, box: t.box });
    const item: PendingEvent = { ref: { region: t.region, box: t.box, plugin: t.plugin, type: t.type }, env: d.value, raw: payload, ack, fail, receivedAt: 0 };
    batcher.add(item, (err, outcome) => committed(item, err, outcome));
    return true;
  }

  function handle(topic: string, payload: Buffer, packet: IPublishPacket): void {
    stats.counters.received++;
    const t = parseTopic(topic);
    if (!t || t.kind === 'command' || t.kind === 'cfg') return reject('TOPIC_UNKNOWN', topic, 'not a box→master topic of the contract');
    const ref = { region: t.region, box: t.box };
    if (t.kind === 'state') {
      if (payload.length === 0) return; // a cleared retained message
      const d = decodePayload(StateMessage, payload, deps.maxPayloadBytes);
      if (!d.ok) return reject(d.code, topic, d.message);
      stats.counters.states++;
      registry.applyState(ref, d.value, { retained: packet.retain });
      return;
    }
    if (t.kind === 'event') {
      const held = acks;
      held?.hold(packet);
      // a rejected event is acknowledged like before: the box must not replay what can never be stored
      if (!takeEvent(topic, t, payload, () => held?.release(packet), noop)) held?.release(packet);
      return;
    }
    if (t.kind === 'telemetry') {
      const d = decodePayload(TelemetryMessage, payload, deps.maxPayloadBytes);
      if (!d.ok) return reject(d.code, topic, d.message);
      registry.touch(ref);
      stats.counters.telemetry++;
      deps.telemetry.put(t.box, t.name, { ts: d.value.ts, data: d.value.data });
      return;
    }
    if (t.kind === 'result') {
      const d = decodePayload(ResultMessage, payload, deps.maxPayloadBytes);
      if (!d.ok) return reject(d.code, topic, d.message);
      registry.touch(ref);
      stats.counters.results++;
      if (!deps.commands.handleResult({ ...ref, cmdId: t.cmdId }, d.value)) stats.counters.resultsUnmatched++;
      return;
    }
    const d = decodePayload(CfgReportedMessage, payload, deps.maxPayloadBytes);
    if (!d.ok) return reject(d.code, topic, d.message);
    if (!packet.retain) registry.touch(ref);
    registry.setCfgReported(ref, d.value);
  }

  /** The embedded broker's view: a box's event is held (no PUBACK) until it is stored. */
  const intercept: PublishInterceptor = (topic, payload) => {
    const t = parseTopic(topic);
    if (!t || t.kind !== 'event') return null;
    // the session closes without a PUBACK: the box keeps the event and sends it to the next master
    if (stopping) return Promise.reject(new Error('the master is stopping'));
    stats.counters.received++;
    return new Promise<void>((resolve, fail) => {
      try {
        if (!takeEvent(topic, t, payload, resolve, fail)) resolve();
      } catch (err) {
        // as on the subscription path: counted, logged and acknowledged (a replay would fail the same way)
        stats.reject('INGEST_FAILED');
        log.error({ err: (err as Error).message, topic }, 'ingestion failed');
        resolve();
      }
    });
  };

  const onMessage = (topic: string, payload: Buffer, packet: IPublishPacket) => {
    try {
      handle(topic, payload, packet);
    } catch (err) {
      stats.reject('INGEST_FAILED');
      log.error({ err: (err as Error).message, topic }, 'ingestion failed');
    }
  };

  return {
    async start() {
      if (client) return;
      stopping = false;
      client = deps.client();
      acks = deferPubacks(client);
      if (!acks.supported && !deps.inProcess) log.warn('this mqtt.js cannot defer PUBACKs: events are acknowledged to the broker before they are stored');
      client.on('message', onMessage);
      deps.inProcess?.setInterceptor(intercept);
      const granted = await client.subscribeAsync(subscriptionFilters(deps.sharedGroup, !!deps.inProcess), { qos: 1 });
      const refused = granted.filter((g) => g.qos === 128);
      if (refused.length) log.error({ filters: refused.map((g) => g.topic) }, 'broker refused master subscriptions: check the ACL of the master user');
    },
    async stop() {
      if (!client) return;
      // what arrives from now on is not ingested, so it is not acknowledged either: the broker (or box) keeps it
      stopping = true;
      acks?.refuseUnheld();
      client.off('message', onMessage);
      // events waiting for a retry stay unacknowledged: the broker keeps them for the next session
      const dropRetries = () => {
        for (const [timer, item] of retries) { clearTimeout(timer); item.fail(new Error('the master is stopping')); }
        retries.clear();
      };
      dropRetries();
      await batcher.drain();
      dropRetries();
      // the interceptor stays: it refuses events (no PUBACK) until the master installs another
      client = null;
      acks = null;
    },
    /** ingests one message as if it came from the broker (benchmarks and tests of the hot path) */
    ingest: handle,
    /** resolves once every event handed over so far is committed */
    drain: () => batcher.drain(),
  };
}
export type Ingestor = ReturnType<typeof createIngestor>;
