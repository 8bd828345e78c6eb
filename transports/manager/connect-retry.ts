// How a session to the broker retries and what it tells the log: exponential backoff with jitter and a cap, a
// refused login straight to the long delay (a wrong password does not get right by asking again), reset on
// success. The first failure is logged at warn with its reason, then at most one line a minute while it lasts,
// and the recovery once. The probe and the uplink own their timers; this only says how long to wait.
// (p-retry wraps a promise loop; neither mqtt.js's reconnect nor the probe's tick is one, so the delay is ours.)
import type { Logger } from 'pino';

export type FailureKind = 'auth' | 'refused' | 'tls' | 'dns' | 'unreachable' | 'timeout' | 'closed' | 'local' | 'other';

export interface ConnectFailure {
  code: string;
  message: string;
  kind: FailureKind;
  /** when the last failure happened */
  at: number;
  /** first failure of this run of failures */
  since: number;
  /** failed attempts in this run */
  attempts: number;
}

/**
 * Of two failures, the one that says more about why the box is not connected: a broker that was reached and
 * refused (a wrong password, TLS, nothing listening) over a link that is merely down (an absent modem retries every
 * few seconds and would always be the newest); between equals, the newer.
 */
export function moreTelling<F extends Pick<ConnectFailure, 'kind' | 'at'>>(a: F | null, b: F | null): F | null {
  if (!a || !b) return a ?? b;
  const reached = (f: F) => (f.kind === 'unreachable' || f.kind === 'local' ? 0 : 1);
  if (reached(a) !== reached(b)) return reached(a) > reached(b) ? a : b;
  return a.at >= b.at ? a : b;
}

const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|ERR_OSSL)/;
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME']);
const UNREACHABLE = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EADDRNOTAVAIL', 'LINK_DOWN', 'BLE_DISCONNECTED']);
const CLOSED = new Set(['ECONNRESET', 'EPIPE', 'PROBE_CLOSED']);
/** errors that never reached the broker: no point in slowing down for them (the link's own state paces them) */
const LOCAL = new Set(['NO_LINK', 'LINK_SWITCHED']);

/** CONNACK return codes (MQTT 3.1.1) and reason codes (MQTT 5) that mean "these credentials are not accepted". */
export function isAuthRefusal(rc: number): boolean {
  return rc === 4 || rc === 5 || rc === 0x86 || rc === 0x87 || rc === 0x8c;
}

const CONNACK_TEXT: Record<number, string> = {
  1: 'unacceptable protocol version', 2: 'client id rejected', 3: 'server unavailable',
  4: 'bad username or password', 5: 'not authorized',
  0x86: 'bad username or password', 0x87: 'not authorized', 0x88: 'server unavailable', 0x89: 'server busy',
  0x8a: 'banned', 0x8c: 'bad authentication method', 0x9f: 'connection rate exceeded',
};
export const connackText = (rc: number) => CONNACK_TEXT[rc] ?? `return code ${rc}`;

/** Names a connection failure: code, kind and a message an installer can act on. */
export function classifyFailure(err: unknown): Omit<ConnectFailure, 'at' | 'since' | 'attempts'> {
  const e = err as { code?: unknown; message?: unknown; rc?: unknown; auth?: unknown } | null;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  // mqtt.js: a refused CONNACK is an error whose code is the (numeric) return code
  if (typeof e?.code === 'number') {
    const rc = e.code;
    return isAuthRefusal(rc)
      ? { code: 'AUTH_REFUSED', kind: 'auth', message: `broker refused the login: ${connackText(rc)} (rc ${rc}); check master.username and master.passwordFile` }
      : { code: 'CONNACK_REFUSED', kind: 'refused', message: `broker refused the session: ${connackText(rc)} (rc ${rc})` };
  }
  const code = typeof e?.code === 'string' ? e.code : 'ERROR';
  if (e?.auth === true) return { code, kind: 'auth', message };
  if (code === 'ECONNREFUSED') return { code, kind: 'refused', message: `${message}: nothing listens there (check master.url's host and port)` };
  if (TLS_CODES.test(code) || /certificate|tls|ssl/i.test(message)) return { code, kind: 'tls', message: `TLS: ${message} (check master.caFile and the broker certificate's name)` };
  if (DNS_CODES.has(code)) return { code, kind: 'dns', message: `DNS: ${message} (check master.url's host name and the box's resolver)` };
  if (UNREACHABLE.has(code)) return { code, kind: 'unreachable', message };
  if (CLOSED.has(code)) return { code, kind: 'closed', message };
  if (LOCAL.has(code)) return { code, kind: 'local', message };
  if (code.endsWith('TIMEOUT') || /timeout/i.test(message)) return { code, kind: 'timeout', message };
  return { code, kind: 'other', message };
}

export interface ConnectRetryOptions {
  log: Logger;
  /** log fields naming the session (`{link: 'eth'}`, `{session: 'uplink'}`) */
  what: Record<string, unknown>;
  /** short name for the log lines: "probe of eth", "uplink" */
  label: string;
  baseMs?: number;
  maxMs?: number;
  /** one line a minute at most while a failure lasts */
  repeatLogMs?: number;
  now?: () => number;
  random?: () => number;
}

export function createConnectRetry(o: ConnectRetryOptions) {
  const baseMs = o.baseMs ?? 1000;
  const maxMs = Math.max(baseMs, o.maxMs ?? 60_000);
  const repeatMs = o.repeatLogMs ?? 60_000;
  const now = o.now ?? Date.now;
  const random = o.random ?? Math.random;
  let failure: ConnectFailure | null = null;
  let last: ConnectFailure | null = null;
  let growth = 0;
  let loggedAt = -Infinity;

  // equal jitter: at least half the step, so the delay still grows, and boxes that failed together spread out
  const jitter = (d: number) => Math.round(d / 2 + (random() * d) / 2);

  return {
    /** Records a failed attempt; returns how long to wait before the next one. */
    failed(err: unknown): number {
      const c = classifyFailure(err);
      const t = now();
      failure = { ...c, at: t, since: failure?.since ?? t, attempts: (failure?.attempts ?? 0) + 1 };
      last = failure;
      let delay: number;
      if (c.kind === 'local') delay = baseMs;
      else {
        growth = c.kind === 'auth' ? Math.max(growth + 1, Math.ceil(Math.log2(maxMs / baseMs)) + 1) : growth + 1;
        // the box's own side has no route: the broker never sees these, and the link coming back retries at once
        const cap = c.kind === 'unreachable' ? Math.min(maxMs, 10 * baseMs) : maxMs;
        delay = jitter(Math.min(cap, baseMs * 2 ** (growth - 1)));
      }
      // "no link" says nothing about the broker: the links' own lines tell why
      if (c.kind !== 'local') {
        if (failure.attempts === 1 || t - loggedAt >= repeatMs) {
          loggedAt = t;
          o.log.warn({ ...o.what, code: c.code, reason: c.message, attempts: failure.attempts, failingForS: Math.round((t - failure.since) / 1000), retryInS: Math.round(delay / 100) / 10 },
            failure.attempts === 1 ? `${o.label} cannot reach the broker` : `${o.label} still cannot reach the broker`);
        }
      }
      return delay;
    },
    /** A session is up: back to the short delay; a failure that was logged gets its end logged. */
    succeeded(): void {
      const f = failure;
      failure = null;
      growth = 0;
      if (f && f.kind !== 'local' && loggedAt >= f.since) {
        o.log.info({ ...o.what, after: f.code, attempts: f.attempts, failedForS: Math.round((now() - f.since) / 1000) }, `${o.label} reaches the broker again`);
      }
      loggedAt = -Infinity;
    },
    /** The failure in progress (null while connected or before the first attempt). */
    failure: (): ConnectFailure | null => failure,
    /** The most recent failure, kept after a recovery. */
    lastFailure: (): ConnectFailure | null => last,
    /** the next delay after a session that was up ends (no failure counted) */
    baseDelay: () => jitter(baseMs),
  };
}

export type ConnectRetry = ReturnType<typeof createConnectRetry>;
