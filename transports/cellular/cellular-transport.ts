// The cellular link: brings the modem up (SIM, registration, data call), watches it (URCs + polling), reports
// quality, and recovers it. One supervisor loop; everything model-specific comes from the firmware profile.
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ConfigError, TransportError } from '../../protocol/errors.js';
import { StateCell, type Disposer, type Transport, type TransportContext, type TransportState } from '../transport.js';
import { isRegistered } from './at/canonical.js';
import { createAtEngine, type AtEngine, type Urc } from './at/engine.js';
import { AtCommandError } from './at/errors.js';
import { parseReply, PREFIXES } from './at/registry.js';
import { openSerialPort, type AtPort } from './at/serial-port.js';
import type { AtRecord } from './at/types.js';
import type { CellularConfig } from './config.js';
import * as session from './modem-session.js';
import { waitForPort } from './port-discovery.js';
import type { Profile } from './profile-schema.js';
import { loadProfiles } from './profiles.js';
import { runResetLadder } from './reset-ladder.js';
import { qualityOf, summarise, type SignalSummary } from './signal.js';
import { openBoundStream } from './stream.js';

export interface SignalSample extends SignalSummary {
  transport: string; kind: string; ts: number; operator: string | null; quality: number | null; registration: string | null;
}

export interface CellularTransport extends Transport {
  /** every signal poll, for the daemon to publish on `tel/signal` */
  onSignal(listener: (s: SignalSample) => void): Disposer;
  readonly modem: { profile: string | null; model: string | null; firmware: string | null; port: string | null; ipv4: string | null };
}

export interface CellularDeps { profiles?: Profile[] }

type Trouble = { kind: 'closed' | 'hang' | 'lost'; reason: string };
const REG_PARSER = 'creg';
const sleep = (ms: number, signal?: AbortSignal) => new Promise<void>((r) => { const t = setTimeout(r, ms); signal?.addEventListener('abort', () => { clearTimeout(t); r(); }, { once: true }); });

export function createCellularTransport(ctx: TransportContext, cfg: CellularConfig, deps: CellularDeps = {}): CellularTransport {
  const log = ctx.log.child({ transport: cfg.id });
  const cell = new StateCell();
  const signalListeners = new Set<(s: SignalSample) => void>();
  const timers = new Set<NodeJS.Timeout>();
  const T = cfg.timing;
  let abort: AbortController | null = null;
  let loop: Promise<void> | null = null;
  let profiles: Profile[] = deps.profiles ?? [];
  let port: AtPort | null = null;
  let engine: AtEngine | null = null;
  let profile: Profile | null = null;
  let identity: session.ModemIdentity | null = null;
  let up = false;
  let lastHardAt: number | null = null;
  let ipv4: string | null = null;
  let operator: string | null = null;
  let signal: SignalSummary | null = null;
  let quality: number | null = null;
  const regs = new Map<string, AtRecord>();
  let trouble: Trouble | null = null;
  let wakeSupervisor: (() => void) | null = null;

  const detail = () => ({ rat: signal?.rat ?? null, band: signal?.band ?? null, operator, rsrp_dbm: signal?.rsrp_dbm ?? null,
    rsrq_db: signal?.rsrq_db ?? null, sinr_db: signal?.sinr_db ?? null, ipv4, profile: profile?.name ?? null, port: port?.path ?? null });
  const setState = (status: TransportState['status'], reason?: string) => cell.set({ status, quality: status === 'down' ? null : quality, reason, detail: detail() });
  const registered = () => [...regs.values()].some((r) => isRegistered(r.registration));

  function raise(t: Trouble): void {
    if (up || t.kind !== 'lost') setState('down', t.reason);
    up = false;
    trouble ??= t;
    wakeSupervisor?.();
  }

  function clearTimers(): void { for (const t of timers) clearTimeout(t); timers.clear(); }
  function every(ms: number, fn: () => Promise<void>): void {
    const tick = () => { const t = setTimeout(() => { timers.delete(t); void fn().finally(() => { if (up) tick(); }); }, ms); timers.add(t); };
    tick();
  }

  function noteRegistration(rec: AtRecord): void {
    regs.set(String(rec.command ?? 'CEREG'), rec);
    if (up && !registered()) {
      // An inter-RAT move (SA → LTE) reports "+C5GREG: 0" just before "+CEREG: 1": give the other RAT a moment.
      const t = setTimeout(() => {
        timers.delete(t);
        if (up && !registered()) raise({ kind: 'lost', reason: `registration lost (${String(rec.registration)})` });
      }, T.lossGraceMs);
      timers.add(t);
    }
    wakeSupervisor?.();
  }

  function onUrc(u: Urc): void {
    const parser = u.prefix ? PREFIXES[u.prefix] : undefined;
    if (!parser || !profile) return;
    const r = parseReply(u.line, { parser, units: profile.units });
    if (!r.ok) { log.debug({ urc: u.line, reason: r.reason }, 'unparsed URC'); return; }
    if (parser === REG_PARSER) noteRegistration(r.record);
    else if (r.record.link_lost === true) {
      const cid = r.record.cid;
      if (cid === undefined || cid === null || cid === profile.data.cid) raise({ kind: 'lost', reason: `data call lost (${u.line})` });
    } else if (profile.signal.some((p) => p.parser === parser)) updateSignal(r.record);
  }

  /** up or degraded by the signal gates (only while the data call is up). */
  function publishState(): void {
    if (!up) return;
    const g = cfg.gates;
    const weak = signal !== null && ((quality !== null && quality < g.minQuality) || (signal.rsrp_dbm !== null && signal.rsrp_dbm < g.minRsrpDbm)
      || (signal.sinr_db !== null && signal.sinr_db < g.minSinrDb));
    setState(weak ? 'degraded' : 'up', weak ? 'weak signal' : undefined);
  }

  function updateSignal(rec: AtRecord): void {
    signal = summarise(rec);
    quality = qualityOf(signal);
    publishState();
    const reg = [...regs.values()].find((r) => isRegistered(r.registration)) ?? [...regs.values()][0];
    const sample: SignalSample = { ...signal, transport: cfg.id, kind: cfg.kind, ts: Date.now(), operator, quality, registration: (reg?.registration as string) ?? null };
    for (const l of [...signalListeners]) { try { l(sample); } catch (e) { log.error({ err: e }, 'signal listener failed'); } }
  }

  // The hard-reset budget survives daemon restarts, so a crash loop cannot hard-reset the modem every minute.
  const stateFile = join(ctx.dataDir, `cellular-${cfg.id}.json`);
  async function loadHardResetTime(): Promise<void> {
    const saved = await readFile(stateFile, 'utf8').then((t) => JSON.parse(t) as { lastHardAt?: number }, () => ({} as { lastHardAt?: number }));
    if (typeof saved.lastHardAt === 'number') lastHardAt = saved.lastHardAt;
  }
  async function saveHardResetTime(at: number): Promise<void> {
    await mkdir(ctx.dataDir, { recursive: true }).then(() => writeFile(stateFile, JSON.stringify({ lastHardAt: at })))
      .catch((e: Error) => log.warn({ err: e.message }, 'cannot record the hard reset time'));
  }

  async function closeModem(): Promise<void> {
    engine?.dispose('closing');
    engine = null;
    const p = port; port = null;
    await p?.close().catch(() => undefined);
  }

  /** Finds and opens the port; returns null when it does not appear in time. */
  async function openModem(waitMs: number): Promise<AtEngine | null> {
    await closeModem();
    const path = await waitForPort({ port: cfg.modem.port, usb: profiles.flatMap((p) => p.usb) }, { timeoutMs: waitMs, signal: abort?.signal });
    if (!path) return null;
    const p = await openSerialPort(path, cfg.modem.baudRate);
    const e = createAtEngine({ port: p, log, defaultTimeoutMs: T.commandTimeoutMs, urcPrefixes: profiles.flatMap((x) => x.urcs) });
    port = p; engine = e;
    p.onClose(() => { if (port === p) raise({ kind: 'closed', reason: `modem port ${path} closed` }); });
    e.onHang(() => { if (engine === e) raise({ kind: 'hang', reason: 'modem not responding (3 AT timeouts)' }); });
    e.onUrc(onUrc);
    return e;
  }

  async function bringUp(e: AtEngine, sig: AbortSignal): Promise<void> {
    setState('connecting');
    await session.wake(e, T.commandTimeoutMs);
    identity = await session.identify(e, T.commandTimeoutMs);
    profile = session.chooseProfile(profiles, cfg.modem.profile, identity);
    log.info({ profile: profile.name, model: identity.model, firmware: identity.firmware }, 'modem identified');
    if (cfg.kind === 'nr5g' && !profile.capabilities.rats.some((r) => r.startsWith('NR5G'))) {
      log.warn({ profile: profile.name }, 'transport kind is nr5g but this modem family has no 5G radio: it will run as LTE');
    }
    await session.runSteps(e, profile.init, {});
    await session.ensureSim(e, profile, T.commandTimeoutMs, async () => (cfg.modem.pinFile ? (await ctx.readSecret(cfg.modem.pinFile)).trim() : null));
    const deadline = Date.now() + T.registrationTimeoutMs;
    regs.clear();
    for (;;) {
      const rec = await session.readRegistration(e, profile);
      if (rec) regs.set(String(rec.command), rec);
      if (registered()) break;
      if (sig.aborted) return;
      if (Date.now() > deadline) throw new TransportError('MODEM_NOT_REGISTERED', `not registered after ${T.registrationTimeoutMs} ms (${String(rec?.registration ?? 'no reply')})`);
      setState('connecting', `waiting for registration (${String(rec?.registration ?? 'unknown')})`);
      await new Promise<void>((r) => { wakeSupervisor = r; const t = setTimeout(r, 1000); timers.add(t); });
      wakeSupervisor = null;
    }
    operator = await session.readOperator(e, T.commandTimeoutMs);
    await session.dataCall(e, profile, cfg.modem.apn);
    ipv4 = null;
    for (let i = 0; i < 10 && !ipv4; i++) { ipv4 = await session.readAddress(e, profile); if (!ipv4) await sleep(500, sig); }
    if (!ipv4) throw new TransportError('MODEM_NO_ADDRESS', 'data call up but the modem reports no IPv4 address');
    for (const p of profile.signal) { const r = await session.poll(e, p, profile).catch(() => null); if (r) updateSignal(r); }
    trouble = null;
    up = true;
    publishState();
    startWatchers(e, profile);
  }

  function startWatchers(e: AtEngine, p: Profile): void {
    for (const s of p.signal) every(T.signalIntervalMs ?? s.intervalMs, async () => { const r = await session.poll(e, s, p).catch(() => null); if (r && up) updateSignal(r); });
    for (const s of p.registration) every(s.intervalMs, async () => { const r = await session.poll(e, s, p).catch(() => null); if (r && up) noteRegistration(r); });
    const keepalive = async (): Promise<void> => {
      try { await e.send('AT', { timeoutMs: T.commandTimeoutMs }); } catch (err) {
        // After one timeout probe back to back, so three in a row (a hang) are seen within seconds.
        if (err instanceof AtCommandError && err.code === 'AT_TIMEOUT' && e.consecutiveTimeouts < 3 && up) await keepalive();
      }
    };
    every(T.keepaliveMs, keepalive);
  }

  async function recover(): Promise<void> {
    if (!profile) { await openModem(T.portWaitMs); return; }
    setState('down', 'modem not responding: running the reset ladder');
    const r = await runResetLadder({
      profile, log, reopen: () => openModem(Math.min(T.portWaitMs, 5000)), hardMinIntervalMs: T.hardResetMinIntervalMs,
      probeTimeoutMs: Math.min(T.commandTimeoutMs, 1500), softStepTimeoutMs: Math.max(T.commandTimeoutMs, 1000), lastHardAt: () => lastHardAt, markHard: (at) => { lastHardAt = at; void saveHardResetTime(at); },
      aborted: () => abort?.signal.aborted ?? true,
      powerCycle: cfg.modem.powerCycleCommand ? async () => { const [cmd, ...args] = cfg.modem.powerCycleCommand!; await promisify(execFile)(cmd, args, { timeout: 30_000 }); } : undefined,
    }, engine);
    if (!r.recovered) { setState('down', r.reason); throw new TransportError('MODEM_UNRESPONSIVE', r.reason ?? 'modem unresponsive'); }
    log.info({ rung: r.rung }, 'modem recovered');
  }

  async function supervise(sig: AbortSignal): Promise<void> {
    let backoff = T.retryMs;
    while (!sig.aborted) {
      try {
        if (trouble?.kind === 'hang') { trouble = null; await recover(); }
        else if (!engine || engine.closed || trouble?.kind === 'closed') {
          trouble = null;
          if (!(await openModem(T.portWaitMs))) { setState('down', `modem port not found (${cfg.modem.port})`); continue; }
        }
        trouble = null;
        await bringUp(engine!, sig);
        backoff = T.retryMs;
        while (!trouble && !sig.aborted) await new Promise<void>((r) => { wakeSupervisor = r; });
        wakeSupervisor = null;
        clearTimers();
      } catch (e) {
        clearTimers();
        up = false;
        if (sig.aborted) break;
        if (e instanceof ConfigError) {
          // A SIM or config problem is not fixed by resetting the modem: report it and wait for a restart.
          setState('down', e.issues.join('; '));
          log.error({ issues: e.issues }, 'cellular configuration error; not retrying');
          await new Promise<void>((r) => sig.addEventListener('abort', () => r(), { once: true }));
          break;
        }
        const timeout = e instanceof AtCommandError && e.code === 'AT_TIMEOUT';
        if (timeout && engine && engine.consecutiveTimeouts >= 3) trouble ??= { kind: 'hang', reason: 'modem not responding' };
        if (e instanceof AtCommandError && e.code === 'AT_PORT_CLOSED') trouble ??= { kind: 'closed', reason: 'port closed' };
        if (!trouble) {
          setState('down', (e as Error).message);
          log.warn({ err: (e as Error).message }, 'cellular bring-up failed; retrying');
          await sleep(backoff, sig);
          backoff = Math.min(backoff * 2, 300_000);
        }
      }
    }
  }

  return {
    id: cfg.id,
    kind: cfg.kind,
    classes: cfg.classes,
    get state() { return cell.current; },
    onState: (l) => cell.on(l),
    onSignal(l) { signalListeners.add(l); return () => { signalListeners.delete(l); }; },
    get modem() { return { profile: profile?.name ?? null, model: identity?.model ?? null, firmware: identity?.firmware ?? null, port: port?.path ?? null, ipv4 }; },
    async start(outer) {
      if (loop) return;
      if (profiles.length === 0) profiles = await loadProfiles(cfg.modem.profileDir);
      await loadHardResetTime();
      abort = new AbortController();
      outer.addEventListener('abort', () => abort?.abort(), { once: true });
      setState('connecting');
      loop = supervise(abort.signal);
    },
    async stop() {
      if (!loop) return;
      abort?.abort();
      up = false;
      wakeSupervisor?.();
      clearTimers();
      await closeModem();
      await loop.catch(() => undefined);
      loop = null;
      clearTimers();
      setState('down', 'stopped');
    },
    async openStream(target) {
      if (cell.current.status === 'down' || cell.current.status === 'connecting') throw new TransportError('LINK_DOWN', `${cfg.id} is ${cell.current.status}${cell.current.reason ? `: ${cell.current.reason}` : ''}`);
      return openBoundStream(target, cfg.netdev, ipv4);
    },
  };
}
