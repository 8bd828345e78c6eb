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

  function arm(delay: number): void {
    timer = setTimeout(() => { timer = null; if (!stopped) o.reconnect(); }, delay);
  }

  return {
    /** a new attempt begins (mqtt.js asks for a stream) */
    attempt(): void { attemptUp = false; attemptError = null; },
    /** mqtt.js reported an error for the current attempt or session */
    error(err: unknown): void { attemptError = err; },
    connected(): void { attemptUp = true; retry.succeeded(); },
    /** the connection closed: schedules the next attempt */
    closed(): void {
      if (stopped || timer) return;
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
    start(): void { stopped = false; },
    stop(): void {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
    },
    failure: (): ConnectFailure | null => retry.failure(),
  };
}
