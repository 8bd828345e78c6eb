// The uplink's reconnect timer (mqtt.js's own retries on a fixed period, so it runs with reconnectPeriod 0):
// an attempt that fails backs off (a refused login straight to the cap), a session that was up comes back on the
// short delay, and retryNow() cuts a wait short when something changed (a new link, new credentials).
import type { Logger } from 'pino';
import { KefuError } from '../../protocol/errors.js';
import { createConnectRetry, type ConnectFailure } from '../../transports/manager/connect-retry.js';

export interface ReconnectOptions {
  log: Logger;
  baseMs: number;
  maxMs: number;
  now: () => number;
  /** starts the next attempt */
  reconnect: () => void;
  /** the broker refused the login: the caller may re-read its secret before the next attempt */
  onAuthRefused?: () => void;
}

export function createReconnect(o: ReconnectOptions) {
  const retry = createConnectRetry({ log: o.log, what: { session: 'uplink' }, label: 'uplink', baseMs: o.baseMs, maxMs: o.maxMs, now: o.now });
  let attemptError: unknown = null;
  let attemptUp = false;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let inFlight = false; // an attempt began and has neither come up nor closed (it may wait for a link)
  let restart = false; // the attempt was ended on purpose: the next one starts at once, no failure counted

  function arm(delay: number): void {
    timer = setTimeout(() => { timer = null; if (!stopped) o.reconnect(); }, delay);
  }

  return {
    /** a new attempt begins (mqtt.js asks for a stream) */
    attempt(): void { attemptUp = false; attemptError = null; inFlight = true; },
    /** mqtt.js reported an error for the current attempt or session */
    error(err: unknown): void { attemptError = err; },
    connected(): void { attemptUp = true; inFlight = false; retry.succeeded(); },
    /** the connection closed: schedules the next attempt */
    closed(): void {
      inFlight = false;
      if (stopped || timer) return;
      if (restart) { restart = false; attemptUp = false; attemptError = null; arm(0); return; }
      let delay: number;
      if (attemptUp) delay = retry.baseDelay();
      else {
        const err = attemptError ?? new KefuError('SESSION_CLOSED', 'the connection closed before the broker accepted the session');
        delay = retry.failed(err);
        if (typeof (err as { code?: unknown }).code === 'number' && retry.failure()?.kind === 'auth') o.onAuthRefused?.();
      }
      attemptUp = false;
      attemptError = null;
      arm(delay);
    },
    /** Cuts a wait short; the backoff count stays. */
    retryNow(): void {
      if (!timer || stopped) return;
      clearTimeout(timer);
      arm(0);
    },
    /**
     * New credentials: cuts a wait short, or ends an attempt still waiting for a link (its CONNECT carries the old
     * login) through `abort`, and starts the next one at once without counting a failure.
     */
    renew(abort: () => void): void {
      if (stopped) return;
      if (timer) { clearTimeout(timer); arm(0); return; }
      if (inFlight) { restart = true; abort(); }
    },
    start(): void { stopped = false; },
    stop(): void {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
    },
    failure: (): ConnectFailure | null => retry.failure(),
  };
}
