// Recovers a hung modem one rung at a time: reopen the port → CFUN=0/1 → CFUN=1,1 → power-cycle hook.
// Hard rungs (the last two) share one budget: at most one hard reset per `hardMinIntervalMs`.
import type { Logger } from 'pino';
import type { AtEngine } from './at/engine.js';
import { AtCommandError } from './at/errors.js';
import type { Profile } from './profile-schema.js';
import { runSteps } from './modem-session.js';

export type Rung = 'reopen' | 'soft' | 'hard' | 'power-cycle';

export interface LadderDeps {
  profile: Profile;
  log: Logger;
  /** closes the current port and opens the modem again (re-discovering it); null when it is not there */
  reopen(): Promise<AtEngine | null>;
  powerCycle?: () => Promise<void>;
  lastHardAt(): number | null;
  markHard(at: number): void;
  hardMinIntervalMs: number;
  probeTimeoutMs: number;
  /** ceiling for the soft rung's step timeouts: a modem that ignores AT should not cost the profile's full CFUN wait */
  softStepTimeoutMs: number;
  aborted(): boolean;
}

export interface LadderResult { recovered: boolean; rung: Rung | null; engine: AtEngine | null; reason?: string }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function probe(engine: AtEngine | null, timeoutMs: number, tries = 2): Promise<boolean> {
  if (!engine) return false;
  for (let i = 0; i < tries; i++) {
    try { await engine.send('AT', { timeoutMs }); return true; } catch { /* next try */ }
  }
  return false;
}

async function awaitReboot(deps: LadderDeps, ms: number): Promise<AtEngine | null> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && !deps.aborted()) {
    const e = await deps.reopen().catch(() => null);
    if (await probe(e, deps.probeTimeoutMs, 1)) return e;
    await sleep(300);
  }
  return null;
}

export async function runResetLadder(deps: LadderDeps, start: AtEngine | null): Promise<LadderResult> {
  const { log, profile } = deps;
  const hardAllowed = () => { const t = deps.lastHardAt(); return t === null || Date.now() - t >= deps.hardMinIntervalMs; };

  log.warn({ rung: 'reopen' }, 'modem not responding: reopening the port');
  let engine = await deps.reopen().catch(() => null) ?? start;
  if (await probe(engine, deps.probeTimeoutMs)) return { recovered: true, rung: 'reopen', engine };
  if (deps.aborted()) return { recovered: false, rung: null, engine, reason: 'stopped' };

  log.warn({ rung: 'soft' }, 'modem still not responding: radio off/on');
  if (engine) {
    const steps = profile.reset.soft.map((st) => ({ ...st, timeoutMs: Math.min(st.timeoutMs, deps.softStepTimeoutMs) }));
    await runSteps(engine, steps, {}).catch(() => undefined);
  }
  if (await probe(engine, deps.probeTimeoutMs)) return { recovered: true, rung: 'soft', engine };
  if (deps.aborted()) return { recovered: false, rung: null, engine, reason: 'stopped' };

  if (!hardAllowed()) {
    return { recovered: false, rung: null, engine, reason: `modem unresponsive; a hard reset was done less than ${Math.round(deps.hardMinIntervalMs / 60000)} min ago` };
  }
  let delivered = false;
  if (engine) {
    log.warn({ rung: 'hard' }, 'modem still not responding: full functionality reset');
    try { await runSteps(engine, profile.reset.hard, {}); delivered = true; } catch (e) {
      // A CFUN=1,1 that timed out never reached a working parser: the modem did not reset, so it uses no budget.
      delivered = !(e instanceof AtCommandError && (e.code === 'AT_TIMEOUT' || e.code === 'AT_PORT_CLOSED'));
    }
  }
  if (delivered) {
    deps.markHard(Date.now());
    engine = await awaitReboot(deps, profile.reset.rebootMs);
    if (engine) return { recovered: true, rung: 'hard', engine };
    return { recovered: false, rung: 'hard', engine: null, reason: 'modem did not come back after a hard reset' };
  }
  if (!deps.powerCycle) return { recovered: false, rung: null, engine, reason: 'modem unresponsive and no powerCycleCommand is configured' };
  log.warn({ rung: 'power-cycle' }, 'modem still not responding: power-cycling it');
  deps.markHard(Date.now());
  try { await deps.powerCycle(); } catch (e) { return { recovered: false, rung: 'power-cycle', engine: null, reason: `power-cycle hook failed: ${(e as Error).message}` }; }
  engine = await awaitReboot(deps, profile.reset.rebootMs);
  if (engine) return { recovered: true, rung: 'power-cycle', engine };
  return { recovered: false, rung: 'power-cycle', engine: null, reason: 'modem did not come back after a power cycle' };
}
