// The bring-up steps on an open AT engine, driven entirely by the firmware profile: identify, init, SIM,
// registration, data call, address, signal. No vendor names here.
import { ConfigError, TransportError } from '../../protocol/errors.js';
import type { AtEngine } from './at/engine.js';
import { AtCommandError, CONFIG_CME } from './at/errors.js';
import { isRegistered } from './at/canonical.js';
import { parseReply } from './at/registry.js';
import type { AtRecord } from './at/types.js';
import type { Profile, ProfilePoll, ProfileStep } from './profile-schema.js';
import { matchProfile } from './profiles.js';

export interface ModemIdentity { ati: string; firmware: string | null; model: string | null; manufacturer: string | null }

export function fill(cmd: string, vars: Record<string, string | number | undefined>): string {
  return cmd.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));
}

/** Wakes the port (the modem may still be booting), turns echo off; the engine tolerates echo either way. */
export async function wake(engine: AtEngine, timeoutMs: number, tries = 3): Promise<void> {
  let last: unknown;
  for (let i = 0; i < tries; i++) {
    try { await engine.send('AT', { timeoutMs }); await engine.send('ATE0', { timeoutMs }).catch(() => undefined); return; } catch (e) { last = e; }
  }
  throw last;
}

export async function identify(engine: AtEngine, timeoutMs: number): Promise<ModemIdentity> {
  const ati = await engine.send('ATI', { timeoutMs });
  const atiText = ati.lines.join('\n');
  const cgmr = await engine.send('AT+CGMR', { timeoutMs }).catch(() => null);
  const a = parseReply(atiText, { command: 'ATI' });
  const c = cgmr ? parseReply(cgmr.lines.join('\n'), { command: 'AT+CGMR' }) : null;
  const str = (r: typeof a | null, k: string) => (r?.ok && typeof r.record[k] === 'string' ? (r.record[k] as string) : null);
  return { ati: atiText, firmware: str(c, 'firmware') ?? str(a, 'firmware'), model: str(a, 'model'), manufacturer: str(a, 'manufacturer') };
}

export function chooseProfile(profiles: Profile[], wanted: string, id: ModemIdentity): Profile {
  if (wanted !== 'auto') {
    const p = profiles.find((x) => x.name === wanted);
    if (!p) throw new ConfigError([`modem.profile: unknown profile "${wanted}" (known: ${profiles.map((x) => x.name).join(', ')})`]);
    return p;
  }
  const p = matchProfile(profiles, { ati: id.ati, cgmr: id.firmware ?? undefined });
  if (!p) throw new ConfigError(['modem.profile: no firmware profile matches this modem and no fallback profile is installed']);
  return p;
}

export async function runSteps(engine: AtEngine, steps: ProfileStep[], vars: Record<string, string | number | undefined>): Promise<void> {
  for (const s of steps) {
    const cmd = fill(s.cmd, vars);
    try {
      const r = await engine.send(cmd, { timeoutMs: s.timeoutMs });
      if (s.expect && !r.lines.join('\n').includes(s.expect)) {
        throw new TransportError('MODEM_UNEXPECTED_REPLY', `${cmd}: expected "${s.expect}", got "${r.lines.join(' | ')}"`);
      }
    } catch (e) {
      if (s.optional && !(e instanceof AtCommandError && e.code === 'AT_TIMEOUT')) continue;
      throw e;
    }
  }
}

/** SIM ready, entering the PIN from its secret file when asked. Errors a reset cannot fix are ConfigErrors. */
export async function ensureSim(engine: AtEngine, profile: Profile, timeoutMs: number, readPin: () => Promise<string | null>): Promise<void> {
  let reply;
  try {
    reply = await engine.send(profile.sim.query, { timeoutMs });
  } catch (e) {
    if (e instanceof AtCommandError && e.cme && CONFIG_CME.has(e.cme)) throw new ConfigError([`modem.sim: SIM not usable (${e.response.join(' ')}): check that a SIM is inserted`]);
    throw e;
  }
  const text = reply.lines.join(' ');
  if (/READY/i.test(text)) return;
  if (/SIM PIN\b/i.test(text)) {
    const pin = await readPin();
    if (!pin) throw new ConfigError(['modem.pinFile: the SIM asks for a PIN and no pinFile is configured']);
    try {
      await engine.send(fill(profile.sim.enterPin, { pin }), { timeoutMs: 10_000 });
    } catch (e) {
      if (e instanceof AtCommandError && (e.code === 'AT_CME_ERROR' || e.code === 'AT_ERROR')) {
        // never retried: a wrong PIN retried in a loop locks the SIM (PUK)
        throw new ConfigError([`modem.pinFile: the SIM rejected the PIN (${e.response.join(' ')})`]);
      }
      throw e;
    }
    return;
  }
  if (/PUK/i.test(text)) throw new ConfigError([`modem.sim: the SIM is PUK-locked (${text}); unlock it with the operator's PUK`]);
  throw new ConfigError([`modem.sim: SIM not ready: ${text}`]);
}

/** Runs one polling entry and returns its parsed record (null when the reply cannot be parsed). */
export async function poll(engine: AtEngine, p: ProfilePoll, profile: Profile, vars: Record<string, string | number | undefined> = {}): Promise<AtRecord | null> {
  const cmd = fill(p.cmd, vars);
  const r = await engine.send(cmd, { timeoutMs: p.timeoutMs });
  const out = parseReply(r.lines.join('\n'), { command: cmd, parser: p.parser, units: profile.units });
  return out.ok ? out.record : null;
}

/** The best registration the profile's polls report (any registered RAT wins). */
export async function readRegistration(engine: AtEngine, profile: Profile): Promise<AtRecord | null> {
  let last: AtRecord | null = null;
  for (const p of profile.registration) {
    const rec = await poll(engine, p, profile).catch((e) => { if (e instanceof AtCommandError && e.code !== 'AT_TIMEOUT') return null; throw e; });
    if (rec && isRegistered(rec.registration)) return rec;
    last = rec ?? last;
  }
  return last;
}

export async function dataCall(engine: AtEngine, profile: Profile, apn: string | undefined): Promise<void> {
  const vars = { cid: profile.data.cid, apn: apn ?? '' };
  const setup = apn ? profile.data.setup : profile.data.setup.filter((s) => !s.cmd.includes('{apn}'));
  await runSteps(engine, setup, vars);
  await runSteps(engine, profile.data.connect, vars);
}

export async function readAddress(engine: AtEngine, profile: Profile): Promise<string | null> {
  const a = profile.data.address;
  const rec = await poll(engine, { ...a, intervalMs: a.intervalMs ?? 1000 }, profile, { cid: profile.data.cid }).catch(() => null);
  return rec && typeof rec.ipv4 === 'string' ? rec.ipv4 : null;
}

export async function readOperator(engine: AtEngine, timeoutMs: number): Promise<string | null> {
  const r = await engine.send('AT+COPS?', { timeoutMs }).catch(() => null);
  if (!r) return null;
  const p = parseReply(r.lines.join('\n'), { command: 'AT+COPS?' });
  return p.ok && typeof p.record.operator === 'string' ? p.record.operator : null;
}
