// `npm run bench -- modem`: AT round trips/s through the engine vs raw serialport on the same pty, time from a
// loss-of-service URC to `down`, and time from a hang to recovered (production timings). One JSON line each.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { silentLogger } from '../daemon/logger.js';
import { createAtEngine } from '../transports/cellular/at/engine.js';
import { openSerialPort } from '../transports/cellular/at/serial-port.js';
import { createCellularTransport } from '../transports/cellular/cellular-transport.js';
import { CellularConfigSchema } from '../transports/cellular/config.js';
import type { TransportState } from '../transports/transport.js';
import { createModemSim } from '../test/sim/modem-sim.js';

const out = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const N = Number(process.env.BENCH_N ?? 200);
const ROUNDS = 9;

async function rawRoundTrips(path: string, n: number): Promise<number> {
  const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
  await new Promise<void>((r, j) => port.open((e) => (e ? j(e) : r())));
  let buf = '';
  let waiter: (() => void) | null = null;
  port.on('data', (b: Buffer) => { buf += b.toString('latin1'); if (buf.includes('OK\r\n')) { buf = ''; waiter?.(); } });
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    await new Promise<void>((r) => { waiter = r; port.write('AT\r'); });
  }
  const rps = n / ((performance.now() - t0) / 1000);
  await new Promise<void>((r) => port.close(() => r()));
  return rps;
}

async function engineRoundTrips(path: string, n: number): Promise<number> {
  const port = await openSerialPort(path);
  const engine = createAtEngine({ port });
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await engine.send('AT');
  const rps = n / ((performance.now() - t0) / 1000);
  engine.dispose();
  await port.close();
  return rps;
}

function waitState(tr: { state: TransportState; onState(l: (s: TransportState) => void): () => void }, pred: (s: TransportState) => boolean, ms: number): Promise<number> {
  const t0 = performance.now();
  if (pred(tr.state)) return Promise.resolve(0);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error(`timeout; state ${JSON.stringify(tr.state)}`)); }, ms);
    const off = tr.onState((s) => { if (pred(s)) { clearTimeout(timer); off(); resolve(performance.now() - t0); } });
  });
}
const isUp = (s: TransportState) => s.status === 'up' || s.status === 'degraded';

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'kefu-bench-modem-'));
  const sim = createModemSim({ dir, echo: false, rebootMs: 1000 });
  try {
    await sim.start();
    const engine: number[] = [];
    const raw: number[] = [];
    const ratios: number[] = [];
    await rawRoundTrips(sim.modemPath, 50); // warm-up
    await engineRoundTrips(sim.modemPath, 50);
    // Paired, alternating rounds: the machine is shared, so only a ratio measured side by side means anything.
    for (let i = 0; i < ROUNDS; i++) {
      const first = i % 2 === 0;
      const a = first ? await rawRoundTrips(sim.modemPath, N) : await engineRoundTrips(sim.modemPath, N);
      const b = first ? await engineRoundTrips(sim.modemPath, N) : await rawRoundTrips(sim.modemPath, N);
      const [r, e] = first ? [a, b] : [b, a];
      raw.push(r); engine.push(e); ratios.push(e / r);
    }
    out({ bench: 'modem.at_roundtrip', n: N, rounds: ROUNDS, engine_rps: Math.round(median(engine)), raw_serialport_rps: Math.round(median(raw)),
      engine_vs_raw_median_ratio: Math.round(median(ratios) * 100) / 100, ratios: ratios.map((x) => Math.round(x * 100) / 100) });

    await writeFile(join(dir, 'pin'), '1234');
    const cfg = CellularConfigSchema.parse({ id: '5g', kind: 'nr5g', netdev: 'lo', modem: { port: join(dir, 'ttyModem*'), apn: 'cmnet' } });
    const tr = createCellularTransport({ log: silentLogger(), dataDir: dir, readSecret: (p) => readFile(p, 'utf8') }, cfg);
    const ac = new AbortController();
    await tr.start(ac.signal);
    await waitState(tr, isUp, 30_000);
    const lossMs: number[] = [];
    const backMs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const down = waitState(tr, (s) => s.status === 'down', 5000);
      await sim.dropRegistration();
      lossMs.push(await down);
      const up = waitState(tr, isUp, 30_000);
      await sim.restoreRegistration();
      backMs.push(await up);
    }
    out({ bench: 'modem.loss_urc_to_down', n: lossMs.length, median_ms: Math.round(median(lossMs) * 10) / 10, max_ms: Math.round(Math.max(...lossMs) * 10) / 10,
      return_urc_to_up_median_ms: Math.round(median(backMs)), note: `includes the ${cfg.timing.lossGraceMs} ms inter-RAT grace` });
    const pdpMs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const down = waitState(tr, (s) => s.status === 'down', 5000);
      await sim.deactivatePdp();
      pdpMs.push(await down);
      await waitState(tr, isUp, 30_000);
    }
    out({ bench: 'modem.pdp_deact_urc_to_down', n: pdpMs.length, median_ms: Math.round(median(pdpMs) * 10) / 10, max_ms: Math.round(Math.max(...pdpMs) * 10) / 10 });

    const t0 = performance.now();
    sim.hang('hard-reset');
    await waitState(tr, (s) => s.status === 'down', 30_000);
    const detect = performance.now() - t0;
    await waitState(tr, isUp, 90_000);
    const recovered = performance.now() - t0;
    out({ bench: 'modem.hang_to_recovered', detect_ms: Math.round(detect), recovered_ms: Math.round(recovered),
      rungs: sim.commands.filter((c) => /^AT\+CFUN/.test(c)), timing: { commandTimeoutMs: cfg.timing.commandTimeoutMs, keepaliveMs: cfg.timing.keepaliveMs, simRebootMs: 1000 } });
    const gone = waitState(tr, (s) => s.status === 'down', 5000);
    await sim.vanish();
    out({ bench: 'modem.port_close_to_down', ms: Math.round((await gone) * 10) / 10 });
    ac.abort();
    await tr.stop();
  } finally {
    await sim.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
