// A simulated cellular modem on a socat pty pair: opens the ttySim end with serialport and answers AT commands
// per firmware profile. Controls: signal, registration loss/return, PDP deactivation, hang, vanish, re-enumerate.
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { createLineFramer } from '../../transports/cellular/at/framer.js';
import { openSerialPort, type AtPort } from '../../transports/cellular/at/serial-port.js';
import { registrationUrc, replyTo, type SimSignal, type SimState } from './modem-replies.js';
import { startPtyPair, type PtyPair } from './modem-pty.js';

export interface ModemSimOptions {
  dir: string;
  profile?: string;
  /** link name the daemon opens (changes on re-enumeration) */
  linkName?: string;
  sim?: SimState['sim'];
  pin?: string;
  rat?: SimState['rat'];
  echo?: boolean;
  /** silence after AT+CFUN=1,1 before "RDY" */
  rebootMs?: number;
  /** reply delay per command (a real modem takes about 1 ms) */
  replyDelayMs?: number;
  /** a file whose appearance means "power was cycled" (what a power-cycle hook command creates) */
  powerCycleFile?: string;
  /**
   * The data path behind the modem (e.g. a namespace link from test/sim/netns.ts): brought up when a data call
   * connects and down when it drops (PDP deactivation, loss of registration, reset, vanish).
   */
  link?: { up(): void | Promise<void>; down(): void | Promise<void> };
  /** recorded replies by exact command (e.g. from test/fixtures/at/vectors-dev.json), answered before the defaults */
  recorded?: Record<string, string>;
}

export type HangRecovery = 'hard-reset' | 'power-cycle' | 'never';

export interface ModemSim {
  readonly state: SimState;
  readonly modemPath: string;
  /** every command received, in order */
  readonly commands: string[];
  start(): Promise<void>;
  stop(): Promise<void>;
  setSignal(s: Partial<SimSignal>): void;
  dropRegistration(stat?: number): Promise<void>;
  restoreRegistration(): Promise<void>;
  deactivatePdp(): Promise<void>;
  sendUrc(line: string): Promise<void>;
  /** stop answering until the given recovery happens */
  hang(until?: HangRecovery): void;
  /** what a power-cycle hook does (e.g. a GPIO toggle) */
  powerCycle(): Promise<void>;
  vanish(): Promise<void>;
  reenumerate(newLinkName: string, gapMs?: number): Promise<void>;
}

export function createModemSim(opts: ModemSimOptions): ModemSim {
  const state: SimState = {
    profile: opts.profile ?? 'quectel-rm5xx', echo: opts.echo ?? true, cfun: 1, sim: opts.sim ?? 'ready', pin: opts.pin ?? '1234',
    stat: 1, rat: opts.rat ?? 'LTE', signal: { rsrp: -90, rsrq: -10, sinr: 12, rssi: -60 }, pdpActive: false, ipv4: '10.76.51.180', apn: null,
  };
  let linkName = opts.linkName ?? 'ttyModem';
  const recorded = new Map(Object.entries(opts.recorded ?? {}).map(([c, text]) => {
    const lines = text.split(/\r\n|\r|\n/).map((l) => l.trim()).filter((l) => l !== '');
    const last = lines.at(-1) ?? '';
    const final = /^(OK|ERROR|\+CME ERROR:.*|\+CMS ERROR:.*)$/.test(last) ? lines.pop()! : 'OK';
    return [c.toUpperCase(), { lines, final }] as const;
  }));
  let pty: PtyPair | null = null;
  let port: AtPort | null = null;
  let hung: HangRecovery | null = null;
  let rebooting = false;
  const commands: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void) => { const t = setTimeout(() => { timers.delete(t); fn(); }, ms); timers.add(t); };

  let linkUp = false;
  /** keeps the data-path link in step with the simulated PDP context */
  const syncLink = async () => {
    if (!opts.link || state.pdpActive === linkUp) return;
    linkUp = state.pdpActive;
    await (linkUp ? opts.link.up() : opts.link.down());
  };

  const write = async (lines: string[]) => {
    if (!port) return;
    await port.write(lines.map((l) => `\r\n${l}\r\n`).join('')).catch(() => undefined);
  };

  async function reboot(): Promise<void> {
    rebooting = true;
    hung = null;
    state.echo = true; state.pdpActive = false; state.stat = 0;
    await syncLink();
    later(opts.rebootMs ?? 300, () => {
      rebooting = false;
      state.stat = 1;
      void write(['RDY', ...registrationUrc(state)]);
    });
  }

  async function onCommand(cmd: string): Promise<void> {
    commands.push(cmd);
    const up = cmd.toUpperCase();
    if (hung) {
      // hung this way, the modem still takes a full reset (its watchdog path), acknowledging it first
      if (hung === 'hard-reset' && up === 'AT+CFUN=1,1') { await port?.write('\r\nOK\r\n').catch(() => undefined); await reboot(); }
      return;
    }
    if (rebooting) return;
    const echo = state.echo ? `${cmd}\r` : '';
    if (up === 'AT+CFUN=1,1') { if (port) await port.write(`${echo}\r\nOK\r\n`).catch(() => undefined); await reboot(); return; }
    if (up === 'AT+CFUN=0') { state.cfun = 0; state.stat = 0; state.pdpActive = false; }
    if (up === 'AT+CFUN=1') { state.cfun = 1; later(50, () => { state.stat = 1; void write(registrationUrc(state)); }); }
    const rec = recorded.get(up);
    const r = rec ?? (up.startsWith('AT+CFUN=') ? { lines: [], final: 'OK' } : replyTo(cmd, state));
    await syncLink();
    const body = r ? [...r.lines, r.final] : ['ERROR'];
    const send = () => port?.write(`${echo}${body.map((l) => `\r\n${l}\r\n`).join('')}`).catch(() => undefined);
    if (opts.replyDelayMs) later(opts.replyDelayMs, () => void send()); else await send();
  }

  async function open(): Promise<void> {
    await mkdir(opts.dir, { recursive: true });
    pty = await startPtyPair(opts.dir, linkName, `sim-${linkName}`);
    port = await openSerialPort(pty.simPath);
    const framer = createLineFramer();
    let chain = Promise.resolve();
    port.onData((chunk) => {
      for (const f of framer.push(chunk)) if (f.kind === 'line') chain = chain.then(() => onCommand(f.text));
    });
  }

  async function close(): Promise<void> {
    const p = port; port = null;
    await p?.close().catch(() => undefined);
    await pty?.stop();
    pty = null;
  }

  return {
    state, commands,
    get modemPath() { return `${opts.dir}/${linkName}`; },
    start: open,
    async stop() { for (const t of timers) clearTimeout(t); timers.clear(); await close(); },
    setSignal(s) { Object.assign(state.signal, s); },
    async dropRegistration(stat = 0) { state.stat = stat; state.pdpActive = false; await syncLink(); await write(registrationUrc(state)); },
    async restoreRegistration() { state.stat = 1; await write(registrationUrc(state)); },
    async deactivatePdp() { state.pdpActive = false; await syncLink(); await write([`+CGEV: NW DEACT IP, ${state.ipv4}, 1`]); },
    sendUrc: (line) => write([line]),
    hang(until = 'hard-reset') {
      hung = until;
      const file = opts.powerCycleFile;
      if (until !== 'power-cycle' || !file) return;
      const watch = () => later(50, () => {
        if (hung !== 'power-cycle') return;
        if (existsSync(file)) { void rm(file, { force: true }).then(() => reboot()); return; }
        watch();
      });
      watch();
    },
    async powerCycle() { if (hung === 'power-cycle' || hung === 'hard-reset' || hung === null) await reboot(); },
    async vanish() { state.pdpActive = false; await syncLink(); await close(); },
    async reenumerate(newLinkName, gapMs = 200) {
      await close();
      linkName = newLinkName;
      // a re-enumeration is a reboot: whatever hung is gone
      hung = null; state.echo = true; state.pdpActive = false;
      await new Promise((r) => setTimeout(r, gapMs));
      await open();
    },
  };
}
