// TransportManager: the thin I/O shell around the selector. Probes every link, opens the uplink's stream over
// the chosen link, and on a switch opens the new link's stream first, then cuts the old one so the MQTT client
// reconnects (make-before-break: its next openStream gets the stream already open on the new link).
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { CommandError, TransportError } from '../../protocol/errors.js';
import { OUTBOX_CLASSES, type OutboxClass } from '../../protocol/schemas.js';
import type { BrokerAddress, Disposer, Transport } from '../transport.js';
import { createByteBudgets } from './byte-budget.js';
import { moreTelling, type ConnectFailure } from './connect-retry.js';
import { createMqttProbe, type Credentials, type ProbeIdentity } from './mqtt-probe.js';
import { ManagerOptions, type ManagerOptionsInput } from './options.js';
import { createSelector, type SwitchEvent } from './selector.js';

export interface TransportManagerDeps {
  transports: Transport[];
  /** the broker the probes talk to (normally the uplink's broker) */
  broker: BrokerAddress;
  /** the probe sessions' MQTT identity; the client id gets `-probe-<link>` appended */
  probeIdentity: ProbeIdentity;
  /** the login read at every probe attempt (overrides probeIdentity's username and password) */
  credentials?: Credentials;
  /** a probe's login was refused: re-read the secret before the next attempt */
  onAuthRefused?: () => void;
  options?: ManagerOptionsInput;
  log: Logger;
  clock?: { now(): number };
  /** start/stop the transports too (default true) */
  ownTransports?: boolean;
}

const READY_MAX_AGE_MS = 5000;

export function createTransportManager(deps: TransportManagerDeps) {
  const opts = ManagerOptions.parse(deps.options ?? {});
  const now = () => (deps.clock ?? Date).now();
  const log = deps.log.child({ module: 'transport:manager' });
  const byId = new Map(deps.transports.map((t) => [t.id, t]));
  let selector = createSelector(deps.transports.map((t) => ({ id: t.id, kind: t.kind })), opts, now());
  const budgets = createByteBudgets(opts, now);
  const listeners = new Set<(e: SwitchEvent) => void>();
  const disposers: Disposer[] = [];
  const probes = new Map<string, ReturnType<typeof createMqttProbe>>();
  let abort: AbortController | null = null;
  let ticker: NodeJS.Timeout | null = null;
  let switching: Promise<void> | null = null;
  let again = false;
  let ready: { linkId: string; stream: Duplex; at: number } | null = null;
  let current: { linkId: string; stream: Duplex } | null = null;
  const waiters = new Set<() => void>();

  function discardReady(): void {
    if (ready) { ready.stream.on('error', () => {}); ready.stream.destroy(); ready = null; }
  }

  async function applySwitch(ev: SwitchEvent): Promise<void> {
    if (ev.to !== null) {
      const t = byId.get(ev.to) as Transport;
      let stream: Duplex;
      try {
        stream = await withTimeout(t.openStream(deps.broker), opts.switchOpenTimeoutMs, ev.to);
      } catch (err) {
        log.warn({ link: ev.to, err: (err as Error).message }, 'switch target failed to open; trying the next');
        selector.reject(ev.to, now(), (err as { code?: string }).code ?? (err as Error).message);
        again = true;
        return;
      }
      if (!abort) { stream.destroy(); return; }
      discardReady();
      ready = { linkId: ev.to, stream, at: now() };
    } else {
      discardReady();
    }
    selector.commit(ev);
    log.info({ from: ev.from, to: ev.to, kind: ev.kind, reason: ev.reason }, 'transport switch');
    const old = current;
    if (old && old.linkId !== ev.to) { current = null; old.stream.destroy(new TransportError('LINK_SWITCHED', `switched to ${ev.to ?? 'no link'}: ${ev.reason}`)); }
    for (const w of [...waiters]) w();
    for (const l of [...listeners]) { try { l(ev); } catch (err) { log.error({ err }, 'switch listener failed'); } }
  }

  /** Runs the selector; at most one switch in flight, re-run when inputs changed meanwhile. */
  function evaluate(): Promise<void> {
    if (!abort) return Promise.resolve();
    if (switching) { again = true; return switching; }
    switching = (async () => {
      do {
        again = false;
        const ev = selector.evaluate(now());
        if (ev) await applySwitch(ev);
      } while (again && abort);
    })().finally(() => { switching = null; });
    return switching;
  }

  function take(linkId: string): Duplex | null {
    if (ready && ready.linkId === linkId && !ready.stream.destroyed && now() - ready.at < READY_MAX_AGE_MS) {
      const s = ready.stream; ready = null; return s;
    }
    discardReady();
    return null;
  }

  function track(linkId: string, stream: Duplex): Duplex {
    current = { linkId, stream };
    budgets.track(linkId, stream);
    stream.once('close', () => { if (current?.stream === stream) current = null; });
    return stream;
  }

  return {
    async start(): Promise<void> {
      if (abort) return;
      abort = new AbortController();
      selector = createSelector(deps.transports.map((t) => ({ id: t.id, kind: t.kind })), opts, now());
      for (const t of deps.transports) {
        disposers.push(t.onState((s) => {
          selector.transportState(t.id, s, now());
          // a link that is back need not sit out the rest of a backoff that its being down ran up
          if (s.status === 'up' || s.status === 'degraded') probes.get(t.id)?.retryNow();
          void evaluate();
        }));
        selector.transportState(t.id, t.state, now());
      }
      if (deps.ownTransports !== false) {
        await Promise.all(deps.transports.map((t) => withTimeout(t.start(abort!.signal), 10_000, t.id).catch((err) => log.warn({ link: t.id, err: (err as Error).message }, 'transport failed to start'))));
      }
      for (const t of deps.transports) {
        const p = createMqttProbe({
          transport: t, broker: deps.broker, identity: { ...deps.probeIdentity, clientId: `${deps.probeIdentity.clientId}-probe-${t.id}` },
          credentials: deps.credentials, onAuthRefused: deps.onAuthRefused,
          retryBaseMs: opts.probe.retryBaseMs, retryMaxMs: opts.probe.retryMaxMs,
          intervalMs: opts.probe.intervalMs, timeoutMs: opts.probe.timeoutMs, maxLocalDelayMs: opts.probe.maxLocalDelayMs, now, log,
          pingEveryMs: () => (selector.active() === t.id ? opts.probe.intervalMs : Math.max(opts.probe.intervalMs, opts.probe.standbyIntervalMs)),
          onStream: (s) => budgets.track(t.id, s),
          onResult: (r) => { selector.probe(t.id, r); void evaluate(); },
        });
        probes.set(t.id, p);
        p.start();
      }
      ticker = setInterval(() => void evaluate(), opts.probe.intervalMs);
    },
    async stop(): Promise<void> {
      if (!abort) return;
      abort.abort();
      abort = null;
      if (ticker) clearInterval(ticker);
      ticker = null;
      for (const p of probes.values()) p.stop();
      probes.clear();
      for (const d of disposers.splice(0)) d();
      await switching;
      discardReady();
      current?.stream.destroy();
      current = null;
      for (const w of [...waiters]) w();
      if (deps.ownTransports !== false) await Promise.all(deps.transports.map((t) => t.stop().catch(() => {})));
    },
    /** A stream over the current best link; waits up to `waitMs` for one when all links are down. */
    async openStream(target: BrokerAddress = deps.broker, waitMs = 5000): Promise<Duplex> {
      const deadline = now() + waitMs;
      while (abort && selector.active() === null && now() < deadline) {
        await new Promise<void>((res) => { const t = setTimeout(done, Math.max(0, deadline - now())); function done() { clearTimeout(t); waiters.delete(done); res(); } waiters.add(done); });
      }
      const linkId = selector.active();
      if (!abort || linkId === null) throw new TransportError('NO_LINK', 'no transport link is up');
      const pre = target.host === deps.broker.host && target.port === deps.broker.port ? take(linkId) : null;
      if (pre) return track(linkId, pre);
      const t = byId.get(linkId) as Transport;
      const stream = await t.openStream(target).catch((err) => {
        selector.reject(linkId, now(), (err as { code?: string }).code ?? (err as Error).message);
        void evaluate();
        throw err;
      });
      if (selector.active() !== linkId) { stream.destroy(); throw new TransportError('LINK_SWITCHED', 'link changed while connecting'); }
      return track(linkId, stream);
    },
    current(): { id: string; kind: Transport['kind']; quality: number | null } | null {
      const id = selector.active();
      const t = id ? byId.get(id) : undefined;
      return t ? { id: t.id, kind: t.kind, quality: t.state.quality } : null;
    },
    /** Outbox classes the current link may carry (all when no link: the outbox just waits). */
    allowedClasses(): OutboxClass[] {
      const id = selector.active();
      const t = id ? byId.get(id) : undefined;
      if (!t) return [...OUTBOX_CLASSES];
      const policy = opts.links[t.id] ?? opts.links[t.kind];
      if (policy?.budgetBytes !== undefined && budgets.used(t.id) >= policy.budgetBytes) return [...policy.overBudgetClasses];
      return [...(policy?.classes ?? t.classes ?? (t.kind === 'ble' ? ['critical', 'event'] : OUTBOX_CLASSES))];
    },
    /** The current link's cap on un-acked publishes (undefined: the uplink's own window). */
    inflightLimit(): number | undefined {
      const id = selector.active();
      return id ? byId.get(id)?.inflightWindow : undefined;
    },
    /** Force a link; automatic selection resumes after timeoutMs or when the link dies. */
    async switchTo(id: string, o: { timeoutMs?: number } = {}): Promise<SwitchEvent> {
      if (!byId.has(id)) throw new CommandError('UNKNOWN_TRANSPORT', `no transport with id ${id} (have: ${[...byId.keys()].join(', ')})`);
      const st = selector.status(now()).find((s) => s.id === id);
      if (!st?.alive) throw new TransportError('LINK_DOWN', `${id} is not usable: ${st?.reason ?? 'down'}`);
      const until = now() + (o.timeoutMs ?? 10 * 60_000);
      const before = selector.switches().length;
      selector.force(id, until);
      await evaluate();
      const made = selector.switches().length > before ? selector.switches().at(-1) ?? null : null;
      // already on that link: nothing switched, but it is held there now
      return made ?? { at: now(), from: id, to: id, kind: 'forced', reason: `${id} already active; held until ${new Date(until).toISOString()}` };
    },
    clearForce(): Promise<void> { selector.clearForce(); return evaluate(); },
    /** Every probe tries again now (the credentials changed); their backoff counts stay. */
    retryNow(): void { for (const p of probes.values()) p.retryNow(); },
    /** The links' failure that best says why the broker cannot be reached (null when none is failing). */
    lastFailure(): (ConnectFailure & { link: string }) | null {
      let worst: (ConnectFailure & { link: string }) | null = null;
      for (const [link, p] of probes) { const f = p.failure(); if (f) worst = moreTelling(worst, { ...f, link }); }
      return worst;
    },
    /** Remote config: a new preference order (ids or kinds, best first). */
    setOrder(order: string[]): Promise<void> { selector.setOrder(order); return evaluate(); },
    onSwitch(listener: (e: SwitchEvent) => void): Disposer { listeners.add(listener); return () => listeners.delete(listener); },
    status() {
      const at = now();
      const last = selector.switches().at(-1) ?? null;
      return {
        active: selector.active(), forced: selector.forced(), order: selector.order(), lastSwitch: last,
        switchesLastHour: selector.switchesInLastHour(at), switches: selector.switches().slice(-20),
        links: selector.status(at).map((s) => {
          const t = byId.get(s.id) as Transport;
          const failure = probes.get(s.id)?.failure() ?? null;
          // since: when the link's shown state (up / degraded / down) began, not when the transport last changed
          return { ...s, status: t.state.status, quality: t.state.quality, since: s.stateSince, transportSince: t.state.since, detail: t.state.detail ?? null,
            lastError: failure ? { code: failure.code, message: failure.message, at: failure.at, since: failure.since, attempts: failure.attempts } : null, ...budgets.status(s.id) };
        }),
      };
    },
  };
}

export type TransportManager = ReturnType<typeof createTransportManager>;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => { timer = setTimeout(() => reject(new TransportError('TIMEOUT', `${what}: no answer within ${ms} ms`)), ms); }),
  ]);
}
