// Application-level probe of one link: a light MQTT session over the link's own stream (source-bound), pinged
// every interval. A PINGRESP proves the whole path to the broker; a missing one within the timeout is a failure.
// A failed session is retried with backoff (a refused login waits longest), never on every tick: a box with a
// wrong password must not hammer the master.
import type { Duplex } from 'node:stream';
import { generate, parser as createParser } from 'mqtt-packet';
import type { Logger } from 'pino';
import { TransportError } from '../../protocol/errors.js';
import type { BrokerAddress, Transport } from '../transport.js';
import { createConnectRetry, connackText, isAuthRefusal, type ConnectFailure } from './connect-retry.js';
import type { ProbeResult } from './link-health.js';
import { createLoopDelay, type LoopMark } from './loop-delay.js';

export interface ProbeIdentity { clientId: string; username?: string; password?: string }
/** the login as it is now (a password file may have been replaced since the last attempt) */
export type Credentials = () => { username?: string; password?: string };

export interface MqttProbeOptions {
  transport: Transport;
  broker: BrokerAddress;
  identity: ProbeIdentity;
  /** read at every attempt; overrides identity's username and password */
  credentials?: Credentials;
  /** the broker refused the login: the caller may re-read its secret before the next attempt */
  onAuthRefused?: () => void;
  /** backoff between failed sessions: first delay, cap */
  retryBaseMs?: number;
  retryMaxMs?: number;
  intervalMs: number;
  /** ping period right now (a standby link may be pinged less often than the active one); default intervalMs */
  pingEveryMs?: () => number;
  timeoutMs: number;
  /** the most of this process's own event-loop delay excused per probe (its answer waited for the box, not the
   *  link): not counted towards the timeout nor the RTT the gates judge; 0 turns the correction off */
  maxLocalDelayMs?: number;
  /** every probe stream, for the byte counters of metered links */
  onStream?: (s: Duplex) => void;
  now: () => number;
  onResult: (r: ProbeResult) => void;
  log: Logger;
}

/** errors that mean "this link cannot reach the broker at all", as opposed to "no answer yet" */
const HARD_CODES = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EADDRNOTAVAIL', 'ECONNREFUSED', 'EPIPE', 'ECONNRESET', 'LINK_DOWN', 'BLE_DISCONNECTED']);

export function isHardError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return err instanceof TransportError || (typeof code === 'string' && HARD_CODES.has(code));
}

export function createMqttProbe(o: MqttProbeOptions) {
  let timer: NodeJS.Timeout | null = null;
  let conn: Duplex | null = null;
  let connecting: { since: number; token: object; loop: LoopMark } | null = null;
  let connected = false;
  let lastPing = 0;
  let nextAttemptAt = 0;
  /** the session answered a ping: it works, its backoff is reset, and losing it later is retried at once */
  let stable = false;
  const pending: Array<{ at: number; loop: LoopMark }> = [];
  const loop = createLoopDelay(o.maxLocalDelayMs ?? 0);
  const retry = createConnectRetry({
    log: o.log, what: { link: o.transport.id }, label: `link ${o.transport.id}`,
    baseMs: o.retryBaseMs, maxMs: o.retryMaxMs, now: o.now,
  });

  const report = (r: Omit<ProbeResult, 'at'>) => o.onResult({ ...r, at: o.now() });

  function drop(): void {
    const c = conn;
    conn = null; connected = false; connecting = null; pending.length = 0; stable = false;
    if (c) { c.removeAllListeners('data'); c.on('error', () => {}); c.destroy(); }
  }

  function fail(err: unknown, hard = isHardError(err)): void {
    const code = (err as { code?: string } | null)?.code;
    // a session that had been working (a ping lost on a live link) reconnects at the next tick, uncounted; one the
    // broker drops right after accepting it is a failure like a refusal, or the probe would loop at the tick rate
    if (stable) nextAttemptAt = 0;
    else nextAttemptAt = o.now() + retry.failed(err);
    if ((err as { auth?: unknown } | null)?.auth === true) o.onAuthRefused?.();
    report({ ok: false, hard, error: code ?? (err instanceof Error ? err.message : String(err)) });
    drop();
  }

  async function connect(): Promise<void> {
    const token = {};
    const since = o.now();
    connecting = { since, token, loop: loop.mark() };
    let stream: Duplex;
    try {
      stream = await o.transport.openStream(o.broker);
    } catch (err) {
      if (connecting?.token === token) fail(err);
      return;
    }
    if (connecting?.token !== token || !timer) { stream.on('error', () => {}); stream.destroy(); return; }
    conn = stream;
    o.onStream?.(stream);
    const parser = createParser();
    parser.on('packet', (p: { cmd: string; returnCode?: number; reasonCode?: number }) => {
      if (conn !== stream) return;
      if (p.cmd === 'connack') {
        const rc = p.returnCode ?? p.reasonCode ?? 0;
        if (rc !== 0) {
          const auth = isAuthRefusal(rc);
          const err = new TransportError('PROBE_REFUSED', `broker refused the probe session: ${connackText(rc)} (rc ${rc})${auth ? '; check master.username and master.passwordFile' : ''}`);
          fail(Object.assign(err, { auth }), false);
          return;
        }
        connected = true; connecting = null;
        // a session set-up (TCP + TLS + CONNACK) is not a ping: it proves the path but its time is no RTT sample
        report({ ok: true });
      } else if (p.cmd === 'pingresp') {
        const sent = pending.shift();
        if (!stable) { stable = true; retry.succeeded(); }
        if (sent !== undefined) {
          const rttMs = o.now() - sent.at;
          report({ ok: true, rttMs, localMs: Math.min(rttMs, loop.busySince(sent.loop)) });
        }
      }
    });
    parser.on('error', (err: Error) => { if (conn === stream) fail(err, false); });
    stream.on('data', (b: Buffer) => parser.parse(b));
    stream.on('error', (err) => { if (conn === stream) fail(err); });
    stream.on('close', () => { if (conn === stream) fail(new TransportError('PROBE_CLOSED', 'probe session closed'), false); });
    const login = { username: o.identity.username, password: o.identity.password, ...o.credentials?.() };
    stream.write(generate({
      cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true,
      // the broker drops a probe session whose box went silent
      keepalive: Math.max(2, Math.ceil((o.intervalMs * 8) / 1000)),
      clientId: o.identity.clientId,
      ...(login.username ? { username: login.username } : {}),
      ...(login.password ? { password: Buffer.from(login.password) } : {}),
    }));
  }

  function tick(): void {
    const now = o.now();
    if (connecting) {
      if (now - connecting.since - loop.busySince(connecting.loop) > o.timeoutMs) fail(new TransportError('PROBE_TIMEOUT', 'connect timeout'), false);
      return;
    }
    if (!conn) { if (now >= nextAttemptAt) void connect(); return; }
    if (!connected) return;
    // a timer that fires after a stall of the box's own loop must not blame the link for the stall: only the time
    // the loop was free to read the answer counts (a PINGRESP that arrived meanwhile is read right after this tick)
    if (pending.length > 0 && now - pending[0].at - loop.busySince(pending[0].loop) > o.timeoutMs) { fail(new TransportError('PROBE_TIMEOUT', 'timeout'), false); return; }
    if (now - lastPing < (o.pingEveryMs?.() ?? o.intervalMs) - o.intervalMs / 2) return;
    lastPing = now;
    pending.push({ at: now, loop: loop.mark() });
    conn.write(generate({ cmd: 'pingreq' }));
  }

  return {
    start(): void {
      if (timer) return;
      timer = setInterval(tick, o.intervalMs);
      tick();
    },
    stop(): void {
      if (timer) clearInterval(timer);
      timer = null;
      if (conn) conn.write(generate({ cmd: 'disconnect' }));
      drop();
    },
    /** Try again at the next tick (the link came back, the password file changed); the backoff count stays. */
    retryNow(): void { nextAttemptAt = 0; },
    /** the failure in progress, null while the session is up */
    failure: (): ConnectFailure | null => retry.failure(),
  };
}
