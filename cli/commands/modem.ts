// `kefu modem probe|at|signal|parse`: installer tools for the cellular modem. Logic lives in transports/cellular.
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { KefuError } from '../../protocol/errors.js';
import { parseReply } from '../../transports/cellular/at/registry.js';
import { findModemPorts, openModem, probeModem, type ProbeResult } from '../../transports/cellular/probe.js';
import { loadProfiles, matchProfile, vendorUnits } from '../../transports/cellular/profiles.js';
import * as session from '../../transports/cellular/modem-session.js';
import { qualityOf, summarise, verdictOf } from '../../transports/cellular/signal.js';
import type { Units } from '../../transports/cellular/profile-schema.js';
import { action, print, table, type OutputOptions } from '../output.js';

const VENDORS = ['quectel', 'simcom', 'huawei', 'ublox', 'generic'];

interface PortOpts { port?: string; profile?: string; timeout?: string }
const ms = (v: string | undefined, d: number) => (v === undefined ? d : Math.max(1, Number(v)));

async function unitsFor(vendor?: string, firmware?: string, profileDir?: string): Promise<Units> {
  const profiles = await loadProfiles(profileDir);
  if (firmware) {
    const p = matchProfile(profiles, { cgmr: firmware, ati: firmware });
    if (p && !p.fallback) return p.units;
  }
  return vendor ? vendorUnits(profiles, vendor) : {};
}

export function register(program: Command): void {
  const modem = program.command('modem').description('cellular modem tools: probe, raw AT, signal, reply parser');

  modem.command('probe')
    .description('find the modem, identify its firmware profile and show SIM, network and signal')
    .option('--port <path>', 'AT port path or glob (default: auto by USB id)')
    .option('--profile <name>', 'firmware profile (default: auto)')
    .action(action(async (o: PortOpts, cmd: Command) => {
      const out = cmd.optsWithGlobals() as OutputOptions;
      // every port the spec matches (auto: every known modem's AT interface), probed one after the other
      const paths = await findModemPorts(o.port ?? 'auto', await loadProfiles());
      const results: ProbeResult[] = [];
      for (const path of paths) {
        const h = await openModem({ port: path });
        try { results.push(await probeModem(h, o.profile ?? 'auto')); } finally { await h.close(); }
      }
      print(out, results.length === 1 ? results[0] : results, () => table(results.map((r) => ({ port: r.port, profile: r.profile, model: r.model,
        firmware: r.firmware, sim: r.sim, operator: r.operator, registration: r.registration, rat: r.signal?.rat, band: r.signal?.band,
        rsrp: r.signal?.rsrp_dbm, rsrq: r.signal?.rsrq_db, sinr: r.signal?.sinr_db, ipv4: r.ipv4, verdict: r.verdict }))));
    }));

  modem.command('at <command>')
    .description('send one raw AT command and print the reply (for installers)')
    .option('--port <path>', 'AT port path or glob (default: auto by USB id)')
    .option('--timeout <ms>', 'reply timeout', '5000')
    .action(action(async (command: string, o: PortOpts, cmd: Command) => {
      const out = cmd.optsWithGlobals() as OutputOptions;
      const h = await openModem({ port: o.port });
      try {
        const r = await h.engine.send(command, { timeoutMs: ms(o.timeout, 5000) });
        print(out, { ok: true, command, lines: r.lines, final: r.final, ms: r.ms }, () => [...r.lines, r.final].join('\n'));
      } finally { await h.close(); }
    }));

  modem.command('signal')
    .description('show signal quality (RSRP, RSRQ, SINR) with a plain-words verdict')
    .option('--port <path>', 'AT port path or glob (default: auto by USB id)')
    .option('--profile <name>', 'firmware profile (default: auto)')
    .option('--watch', 'keep polling until interrupted')
    .option('--interval <ms>', 'poll interval with --watch', '2000')
    .action(action(async (o: PortOpts & { watch?: boolean; interval?: string }, cmd: Command) => {
      const out = cmd.optsWithGlobals() as OutputOptions;
      const h = await openModem({ port: o.port });
      let stop = false;
      process.once('SIGINT', () => { stop = true; });
      try {
        await session.wake(h.engine, 3000);
        const profile = session.chooseProfile(h.profiles, o.profile ?? 'auto', await session.identify(h.engine, 3000));
        let first = true;
        do {
          for (const p of profile.signal) {
            const rec = await session.poll(h.engine, p, profile).catch(() => null);
            if (!rec) continue;
            const s = summarise(rec);
            const q = qualityOf(s);
            const row = { time: new Date().toISOString().slice(11, 19), rat: s.rat, band: s.band, rsrp: s.rsrp_dbm, rsrq: s.rsrq_db, sinr: s.sinr_db, quality: q, verdict: verdictOf(q) };
            print(out, { ...s, quality: q, verdict: verdictOf(q) }, () => { const t = table([row]).split('\n'); const text = first ? t.join('\n') : t[1]; first = false; return text; });
            break;
          }
          if (o.watch) await new Promise((r) => setTimeout(r, ms(o.interval, 2000)));
        } while (o.watch && !stop);
      } finally { await h.close(); }
    }));

  modem.command('parse')
    .description('parse a raw AT reply (or URC lines) from stdin and print canonical JSON')
    .option('--command <at>', "the AT command that produced the reply, e.g. 'AT+QENG=\"servingcell\"'")
    .option('--vendor <vendor>', `unit conventions of a vendor (${VENDORS.join('|')})`)
    .option('--firmware <rev>', 'AT+CGMR revision: selects the firmware profile and its units')
    .action(action(async (o: { command?: string; vendor?: string; firmware?: string }) => {
      if (o.vendor && !VENDORS.includes(o.vendor)) throw new KefuError('BAD_ARGUMENT', `--vendor must be one of ${VENDORS.join(', ')}`);
      const input = readFileSync(0, 'latin1');
      const units = await unitsFor(o.vendor, o.firmware);
      const r = parseReply(input, { command: o.command, units });
      if (!r.ok) throw new KefuError('AT_UNPARSED', `cannot parse reply: ${r.reason}`);
      process.stdout.write(`${JSON.stringify(r.record)}\n`);
    }));
}
