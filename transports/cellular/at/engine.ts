// The AT engine: one serialised command queue over a port, replies matched to the in-flight command with a
// per-command timeout, final result codes turned into AtCommandError, URCs routed as events even mid-command.
import PQueue from 'p-queue';
import type { Logger } from 'pino';
import { AtCommandError, type AtErrorCode } from './errors.js';
import { createLineFramer, errorCode, finalKind } from './framer.js';
import { parseReply, prefixOf } from './registry.js';
import type { AtPort } from './serial-port.js';

export interface AtReply { command: string; lines: string[]; final: string; ms: number }

export interface SendOptions {
  timeoutMs?: number;
  /** text sent after the `> ` prompt, ended with Ctrl-Z (SMS, some data commands) */
  payload?: string;
}

export interface Urc { line: string; prefix: string | null; at: number }

/** Prefixes that are always unsolicited when they are not the in-flight command's own reply. */
export const DEFAULT_URC_PREFIXES: readonly string[] = Object.freeze(['+CREG', '+CGREG', '+CEREG', '+C5GREG', '+CGEV', '+CMTI', '+CUSD', '+CRING', '+QIND',
  '+QNETDEVSTATUS', '+QSIMSTAT', '^HCSQ', '^NDISSTAT', '^RSSI', '^MODE', '^SIMST', '+CPIN', '+CTZV', '+CTZE', '+PACSP', '+QUSIM']);

const REG_PREFIXES: ReadonlySet<string> = new Set(['+CREG', '+CGREG', '+CEREG', '+C5GREG']);

export interface AtEngine {
  send(command: string, opts?: SendOptions): Promise<AtReply>;
  onUrc(listener: (urc: Urc) => void): () => void;
  /** after `hangAfter` consecutive timeouts (default 3) */
  onHang(listener: () => void): () => void;
  readonly consecutiveTimeouts: number;
  readonly closed: boolean;
  /** rejects queued and in-flight commands; does not close the port */
  dispose(reason?: string): void;
}

export interface EngineOptions {
  port: AtPort;
  log?: Logger;
  defaultTimeoutMs?: number;
  hangAfter?: number;
  urcPrefixes?: string[];
}

interface InFlight {
  command: string;
  ownPrefix: string | null;
  lines: string[];
  started: number;
  payload?: string;
  finish(final: string, kind: 'ok' | 'error'): void;
}

/** The reply prefix a command produces: AT+CEREG? → +CEREG. */
function ownPrefixOf(command: string): string | null {
  const m = /^AT([+^$#%][A-Z0-9]+)/i.exec(command.trim());
  return m ? m[1].toUpperCase() : null;
}

export function createAtEngine(opts: EngineOptions): AtEngine {
  const { port, log } = opts;
  const hangAfter = opts.hangAfter ?? 3;
  const urcPrefixes = new Set([...DEFAULT_URC_PREFIXES, ...(opts.urcPrefixes ?? [])].map((p) => p.toUpperCase()));
  const framer = createLineFramer();
  const queue = new PQueue({ concurrency: 1 });
  const urcListeners = new Set<(u: Urc) => void>();
  const hangListeners = new Set<() => void>();
  let current: InFlight | null = null;
  let timeouts = 0;
  let closed = false;

  const emitUrc = (line: string) => {
    const u: Urc = { line, prefix: prefixOf(line), at: Date.now() };
    for (const l of [...urcListeners]) {
      try { l(u); } catch (e) { log?.error({ err: e }, 'URC listener failed'); }
    }
  };

  const onLine = (line: string) => {
    const c = current;
    if (!c) { emitUrc(line); return; }
    // Echo (ATE1, or before ATE0 has taken effect) repeats the command text.
    if (line.toUpperCase() === c.command.toUpperCase()) return;
    const p = prefixOf(line);
    if (p !== null && p !== c.ownPrefix && urcPrefixes.has(p)) { emitUrc(line); return; }
    // A registration URC can arrive while its own read command is in flight: the URC form has no <n>.
    if (p !== null && p === c.ownPrefix && REG_PREFIXES.has(p)) {
      const r = parseReply(line, { parser: 'creg' });
      if (r.ok && r.record.form === 'urc') { emitUrc(line); return; }
    }
    // A bare RING is never part of a reply.
    if (line === 'RING') { emitUrc(line); return; }
    const kind = finalKind(line);
    if (kind) { c.finish(line, kind); return; }
    c.lines.push(line);
  };

  const offData = port.onData((chunk) => {
    for (const f of framer.push(chunk)) {
      if (f.kind === 'line') onLine(f.text);
      else if (current?.payload !== undefined) void port.write(`${current.payload}\x1a`).catch(() => undefined);
      else current?.finish('>', 'ok');
    }
  });
  const offClose = port.onClose(() => { closed = true; dispose('port closed'); });

  function dispose(reason = 'engine disposed'): void {
    // Queued commands still run and are rejected at once (a cleared p-queue task would never settle).
    closed = true;
    current?.finish(`__CLOSED__:${reason}`, 'error');
    offData(); offClose();
  }

  function run(command: string, o: SendOptions): Promise<AtReply> {
    return new Promise<AtReply>((resolve, reject) => {
      if (closed) { reject(new AtCommandError('AT_PORT_CLOSED', command, [], null, `${command}: port ${port.path} is closed`)); return; }
      const timeoutMs = o.timeoutMs ?? opts.defaultTimeoutMs ?? 5000;
      const started = Date.now();
      const timer = setTimeout(() => {
        if (current !== inflight) return;
        current = null;
        timeouts += 1;
        log?.warn({ command, timeoutMs, consecutive: timeouts }, 'AT command timed out');
        reject(new AtCommandError('AT_TIMEOUT', command, inflight.lines, null, `${command}: no reply within ${timeoutMs} ms`));
        if (timeouts === hangAfter) for (const l of [...hangListeners]) l();
      }, timeoutMs);
      const inflight: InFlight = {
        command, ownPrefix: ownPrefixOf(command), lines: [], started, payload: o.payload,
        finish(final, kind) {
          if (current !== inflight) return;
          clearTimeout(timer);
          current = null;
          if (final.startsWith('__CLOSED__:')) {
            reject(new AtCommandError('AT_PORT_CLOSED', command, inflight.lines, null, `${command}: ${final.slice(11)}`));
            return;
          }
          timeouts = 0;
          if (kind === 'ok') { resolve({ command, lines: inflight.lines, final, ms: Date.now() - started }); return; }
          const cme = errorCode(final);
          const code: AtErrorCode = final.startsWith('+CME') ? 'AT_CME_ERROR' : final.startsWith('+CMS') ? 'AT_CMS_ERROR'
            : final === 'NO CARRIER' ? 'AT_NO_CARRIER' : 'AT_ERROR';
          reject(new AtCommandError(code, command, [...inflight.lines, final], cme));
        },
      };
      current = inflight;
      port.write(`${command}\r`).catch((err: Error) => {
        inflight.finish(`__CLOSED__:${err.message}`, 'error');
      });
    });
  }

  return {
    send(command, o = {}) {
      return queue.add(() => run(command, o)) as Promise<AtReply>;
    },
    onUrc(l) { urcListeners.add(l); return () => { urcListeners.delete(l); }; },
    onHang(l) { hangListeners.add(l); return () => { hangListeners.delete(l); }; },
    get consecutiveTimeouts() { return timeouts; },
    get closed() { return closed; },
    dispose,
  };
}
