// `kefu doctor` checks for a cellular transport: port, SIM, registration, signal, data call — each with a fix.
import type { DoctorCheck as HostCheck, TransportContext } from '../transport.js';
import { isRegistered } from './at/canonical.js';
import type { CellularConfig } from './config.js';
import { openModem, probeModem } from './probe.js';
import { netdevIpv4 } from './stream.js';

export interface DoctorCheck { name: string; ok: boolean; detail: string; fix: string }

export async function cellularDoctorChecks(config: CellularConfig): Promise<DoctorCheck[]> {
  const name = (n: string) => `${config.id}: ${n}`;
  const modemCheck = 'modem port';
  let h;
  try {
    h = await openModem({ port: config.modem.port, profileDir: config.modem.profileDir, timeoutMs: config.timing.commandTimeoutMs, baudRate: config.modem.baudRate });
  } catch (e) {
    return [{ name: name('modem port'), ok: false, detail: (e as Error).message,
      fix: 'Check the USB cable and power; list ports with `ls -l /dev/serial/by-id/`; set transports[].modem.port to that path (or a glob). If the daemon is running it holds the port: use `kefu status`.' }];
  }
  try {
    const p = await probeModem(h, config.modem.profile, config.timing.commandTimeoutMs);
    const checks: DoctorCheck[] = [{ name: name('modem port'), ok: true, detail: `${p.port}: ${p.model ?? '?'} ${p.firmware ?? ''} (profile ${p.profile})`, fix: '' }];
    const simOk = /READY/i.test(p.sim);
    checks.push({ name: name('SIM'), ok: simOk, detail: p.sim,
      fix: simOk ? '' : /PIN/i.test(p.sim) ? 'Put the SIM PIN in a file and set transports[].modem.pinFile' : /PUK/i.test(p.sim) ? 'The SIM is PUK-locked: unlock it with the operator PUK in a phone' : 'Insert the SIM (contacts down), then power-cycle the modem' });
    const regOk = isRegistered(p.registration);
    checks.push({ name: name('registration'), ok: regOk, detail: `${p.registration ?? 'unknown'}${p.operator ? ` on ${p.operator}` : ''}`,
      fix: regOk ? '' : p.registration === 'denied' ? 'The network refuses the SIM: check the plan with the operator' : 'Check the antennas are screwed on, the SIM has service here, and `kefu modem at AT+COPS=?` lists networks' });
    const s = p.signal;
    const sigOk = p.quality !== null && p.quality >= config.gates.minQuality;
    checks.push({ name: name('signal'), ok: sigOk, detail: s ? `${s.rat ?? '?'} band ${s.band ?? '?'} RSRP ${s.rsrp_dbm ?? '?'} dBm, SINR ${s.sinr_db ?? '?'} dB: ${p.verdict}` : 'no signal reading',
      fix: sigOk ? '' : 'Move the antennas (higher, away from metal), use external antennas, or check `kefu modem signal --watch` while adjusting' });
    const dev = config.netdev ? netdevIpv4(config.netdev) : null;
    const dataOk = p.ipv4 !== null && (!config.netdev || dev !== null);
    checks.push({ name: name('data call'), ok: dataOk, detail: `modem address ${p.ipv4 ?? 'none'}${config.netdev ? `, ${config.netdev} ${dev ?? 'has no IPv4'}` : ''}`,
      fix: dataOk ? '' : p.ipv4 === null ? 'Start the daemon (it dials); if it stays down check transports[].modem.apn with the operator' : `Bring ${config.netdev} up with DHCP (e.g. \`dhclient ${config.netdev}\`) or fix transports[].netdev` });
    return checks;
  } catch (e) {
    return [{ name: name(modemCheck), ok: false, detail: (e as Error).message, fix: 'The modem does not answer AT commands: power-cycle it; check modem.port points at the AT interface' }];
  } finally {
    await h.close();
  }
}

const CHECK_NAMES = ['modem port', 'SIM', 'registration', 'signal', 'data call'];

/** The same checks in the shape `kefu doctor` runs (one modem probe shared by all five). */
export function cellularDoctor(config: CellularConfig, _ctx?: TransportContext): HostCheck[] {
  let once: Promise<DoctorCheck[]> | null = null;
  const results = () => (once ??= cellularDoctorChecks(config));
  return CHECK_NAMES.map((n) => ({
    name: n,
    async run() {
      const all = await results();
      const mine = all.find((c) => c.name === `${config.id}: ${n}`);
      if (mine) return { ok: mine.ok, detail: mine.detail, fix: mine.fix || undefined };
      // an earlier step failed (no port, no answer): this one could not be looked at
      const first = all.find((c) => !c.ok);
      return { ok: false, detail: `not checked: ${first?.detail ?? 'modem unavailable'}`, fix: first?.fix };
    },
  }));
}
