// A one-shot look at a modem for the CLI (`kefu modem probe|at|signal`) and `kefu doctor`: open the port,
// identify the profile, read SIM, registration, signal and address. Read-only: it never dials or resets.
import { createAtEngine, type AtEngine } from './at/engine.js';
import { AtCommandError } from './at/errors.js';
import { isRegistered } from './at/canonical.js';
import { openSerialPort, type AtPort } from './at/serial-port.js';
import * as session from './modem-session.js';
import { findPorts } from './port-discovery.js';
import { TransportError } from '../../protocol/errors.js';
import type { Profile } from './profile-schema.js';
import { loadProfiles } from './profiles.js';
import { qualityOf, summarise, verdictOf, type SignalSummary } from './signal.js';

export interface ModemHandle {
  engine: AtEngine; port: AtPort; profiles: Profile[];
  close(): Promise<void>;
}

export interface OpenOptions { port?: string; profileDir?: string; timeoutMs?: number; baudRate?: number }

/**
 * Every AT port `port` (a path, a glob or `auto`) names, best first. None is MODEM_NOT_FOUND, whichever tool asked
 * (`kefu modem probe|at|signal`, doctor), so an installer sees one code for "no modem here".
 */
export async function findModemPorts(port: string, profiles: Profile[]): Promise<string[]> {
  const paths = await findPorts({ port, usb: profiles.flatMap((p) => p.usb) });
  if (paths.length === 0) {
    const hint = port === 'auto' ? 'no known modem is on USB; give its AT port path (--port /dev/… or transports[].modem.port); ptys are not listed by SerialPort.list()' : 'nothing exists at that path: check the cable and `ls -l /dev/serial/by-id/`';
    throw new TransportError('MODEM_NOT_FOUND', `no modem found at port "${port}": ${hint}`, { port });
  }
  return paths;
}

export async function openModem(o: OpenOptions = {}): Promise<ModemHandle> {
  const profiles = await loadProfiles(o.profileDir);
  const [path] = await findModemPorts(o.port ?? 'auto', profiles);
  const port = await openSerialPort(path, o.baudRate);
  const engine = createAtEngine({ port, defaultTimeoutMs: o.timeoutMs ?? 3000 });
  return { engine, port, profiles, async close() { engine.dispose(); await port.close(); } };
}

export interface ProbeResult {
  port: string; profile: string; manufacturer: string | null; model: string | null; firmware: string | null;
  sim: string; registration: string | null; operator: string | null; signal: SignalSummary | null;
  quality: number | null; verdict: string; ipv4: string | null;
}

export async function probeModem(h: ModemHandle, wantedProfile = 'auto', timeoutMs = 3000): Promise<ProbeResult> {
  const { engine } = h;
  await session.wake(engine, timeoutMs);
  const id = await session.identify(engine, timeoutMs);
  const profile = session.chooseProfile(h.profiles, wantedProfile, id);
  let sim = 'unknown';
  try { sim = (await engine.send(profile.sim.query, { timeoutMs })).lines.join(' ').replace(/^\+CPIN:\s*/, '') || 'unknown'; } catch (e) {
    sim = e instanceof AtCommandError ? e.response.join(' ') || e.code : String(e);
  }
  const reg = await session.readRegistration(engine, profile).catch(() => null);
  const operator = await session.readOperator(engine, timeoutMs);
  let signal: SignalSummary | null = null;
  for (const p of profile.signal) {
    const r = await session.poll(engine, p, profile).catch(() => null);
    if (r) { signal = summarise(r); break; }
  }
  const ipv4 = await session.readAddress(engine, profile);
  const quality = signal ? qualityOf(signal) : null;
  return { port: h.port.path, profile: profile.name, manufacturer: id.manufacturer, model: id.model, firmware: id.firmware, sim,
    registration: (reg?.registration as string | undefined) ?? null, operator, signal, quality,
    verdict: reg && !isRegistered(reg.registration) ? 'no service' : verdictOf(quality), ipv4 };
}
