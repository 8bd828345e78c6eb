// The cellular transport against the modem simulator on real ptys: bring-up, loss of service, PDP loss,
// hang → reset ladder, vanish → re-discovery, and configuration errors that must not loop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, readFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { silentLogger } from '../../daemon/logger.js';
import type { TransportState } from '../../transports/transport.js';
import { CellularConfigSchema, type CellularConfig } from '../../transports/cellular/config.js';
import { createCellularTransport, type SignalSample } from '../../transports/cellular/cellular-transport.js';
import { createModemSim, type ModemSimOptions } from '../sim/modem-sim.js';
import { tempDir } from '../helpers/tmp.js';

type Ctx = import('node:test').TestContext;

async function setup(t: Ctx, simOpts: Partial<ModemSimOptions> = {}, cfgOver: Record<string, unknown> = {}) {
  const dir = await tempDir(t, 'kefu-cell-');
  const sim = createModemSim({ dir, rebootMs: 200, ...simOpts });
  await sim.start();
  t.after(() => sim.stop());
  await writeFile(join(dir, 'sim.pin'), '1234\n');
  const cfg: CellularConfig = CellularConfigSchema.parse({
    id: '5g', kind: 'nr5g', netdev: 'lo',
    modem: { port: join(dir, 'ttyModem*'), apn: 'cmnet', pinFile: join(dir, 'sim.pin'), ...Object.fromEntries(Object.entries(cfgOver.modem as object ?? {}).filter(([, v]) => v !== '')) },
    timing: { commandTimeoutMs: 600, keepaliveMs: 1000, retryMs: 300, portWaitMs: 3000, signalIntervalMs: 500, ...(cfgOver.timing as object ?? {}) },
    ...Object.fromEntries(Object.entries(cfgOver).filter(([k]) => k !== 'timing' && k !== 'modem')),
  });
  const tr = createCellularTransport({ log: silentLogger(), dataDir: dir, readSecret: (p) => readFile(p, 'utf8') }, cfg);
  const states: TransportState[] = [];
  tr.onState((s) => states.push(s));
  const ac = new AbortController();
  t.after(async () => { ac.abort(); await tr.stop(); });
  await tr.start(ac.signal);
  return { dir, sim, tr, states };
}

function waitFor(tr: { state: TransportState; onState(l: (s: TransportState) => void): () => void }, pred: (s: TransportState) => boolean, ms: number, what: string): Promise<TransportState> {
  if (pred(tr.state)) return Promise.resolve(tr.state);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error(`timed out after ${ms} ms waiting for ${what}; state ${JSON.stringify(tr.state)}`)); }, ms);
    const off = tr.onState((s) => { if (pred(s)) { clearTimeout(timer); off(); resolve(s); } });
  });
}
const isUp = (s: TransportState) => s.status === 'up' || s.status === 'degraded';

test('comes up through SIM PIN, registration and data call; reports quality, detail and signal telemetry; streams bind to the netdev', async (t) => {
  const { tr, sim } = await setup(t, { sim: 'pin' });
  const samples: SignalSample[] = [];
  tr.onSignal((s) => samples.push(s));
  const s = await waitFor(tr, isUp, 15_000, 'up');
  assert.equal(s.status, 'up');
  assert.ok(s.quality !== null && s.quality > 0.5 && s.quality <= 1, `quality ${s.quality}`);
  assert.deepEqual({ ...s.detail, port: undefined }, { rat: 'LTE', band: 3, operator: 'CHINA MOBILE', rsrp_dbm: -90, rsrq_db: -10, sinr_db: 12, ipv4: '10.76.51.180', profile: 'quectel-rm5xx', port: undefined });
  assert.equal(sim.state.apn, 'cmnet');
  assert.ok(sim.commands.includes('AT+CPIN="1234"'));
  assert.equal(tr.modem.firmware, 'RM520NGLAAR03A04M4G');
  // weak signal → degraded
  sim.setSignal({ rsrp: -125, sinr: -8 });
  const d = await waitFor(tr, (x) => x.status === 'degraded', 5000, 'degraded');
  assert.ok(d.quality !== null && d.quality < 0.2);
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(samples.some((x) => x.rsrp_dbm === -125 && x.transport === '5g'));
  // openStream: TCP bound to lo's IPv4
  const server = createServer();
  const accepted = new Promise<Socket>((r) => server.once('connection', r));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const stream = await tr.openStream({ host: '127.0.0.1', port: (server.address() as AddressInfo).port });
  const sock = await accepted;
  assert.equal(sock.remoteAddress, '127.0.0.1');
  stream.destroy(); sock.destroy();
});

test('loss of service (+CEREG: 0 URC) is seen within 1 s; return of service brings the link back', async (t) => {
  const { tr, sim } = await setup(t);
  await waitFor(tr, isUp, 15_000, 'up');
  const t0 = Date.now();
  const down = waitFor(tr, (s) => s.status === 'down', 1000, 'down');
  await sim.dropRegistration();
  const s = await down;
  const ms = Date.now() - t0;
  assert.ok(ms < 1000, `down after ${ms} ms`);
  assert.match(s.reason ?? '', /registration lost/);
  await sim.restoreRegistration();
  await waitFor(tr, isUp, 10_000, 'up again');
});

test('PDP deactivation by the network (+CGEV: NW DEACT) takes the link down and it is re-dialled', async (t) => {
  const linkEvents: string[] = [];
  const { tr, sim } = await setup(t, { link: { up: () => { linkEvents.push('up'); }, down: () => { linkEvents.push('down'); } } });
  await waitFor(tr, isUp, 15_000, 'up');
  // no time is promised here (+CEREG and vanish promise 1 s): a wait, and a loaded machine may need more than 1 s
  const down = waitFor(tr, (s) => s.status === 'down', 10_000, 'down');
  await sim.deactivatePdp();
  assert.match((await down).reason ?? '', /data call lost/);
  await waitFor(tr, isUp, 10_000, 'up again');
  assert.equal(sim.state.pdpActive, true);
  assert.deepEqual(linkEvents, ['up', 'down', 'up'], 'the simulated data path follows the PDP context');
});

test('a hung modem is detected within 15 s and recovered by the reset ladder; a second hang within 10 min gets no second hard reset', async (t) => {
  const { tr, sim, dir } = await setup(t);
  await waitFor(tr, isUp, 15_000, 'up');
  const t0 = Date.now();
  sim.hang('hard-reset');
  await waitFor(tr, (s) => s.status === 'down', 15_000, 'hang detected');
  const detectMs = Date.now() - t0;
  assert.ok(detectMs < 15_000, `hang detected after ${detectMs} ms`);
  await waitFor(tr, isUp, 20_000, 'recovered');
  const hard = sim.commands.filter((c) => c === 'AT+CFUN=1,1').length;
  assert.equal(hard, 1, 'exactly one hard reset');
  assert.ok(sim.commands.includes('AT+CFUN=0'), 'soft rung tried first');
  // the hard-reset budget is recorded so a restarted daemon honours it too
  const saved = JSON.parse(await readFile(join(dir, 'cellular-5g.json'), 'utf8')) as { lastHardAt: number };
  assert.ok(Date.now() - saved.lastHardAt < 60_000);
  // second hang: the hard budget is spent, so the link stays down with a reason instead of looping resets
  sim.hang('hard-reset');
  const s = await waitFor(tr, (x) => x.status === 'down' && /hard reset was done/.test(x.reason ?? ''), 20_000, 'down without a second hard reset');
  assert.match(s.reason ?? '', /less than 10 min ago/);
  assert.equal(sim.commands.filter((c) => c === 'AT+CFUN=1,1').length, 1);
});

test('vanish takes the link down at once; the modem re-enumerated under a new tty name is found again', async (t) => {
  const { tr, sim } = await setup(t);
  await waitFor(tr, isUp, 15_000, 'up');
  const t0 = Date.now();
  const down = waitFor(tr, (s) => s.status === 'down', 1000, 'down');
  await sim.vanish();
  assert.match((await down).reason ?? '', /closed/);
  assert.ok(Date.now() - t0 < 1000);
  await sim.reenumerate('ttyModem3', 300);
  await waitFor(tr, isUp, 15_000, 'up on the new tty');
  assert.match(tr.modem.port ?? '', /ttyModem3$/);
});

test('a wrong PIN leaves the link down with the reason, sends the PIN once and never resets the modem', async (t) => {
  const { tr, sim, dir } = await setup(t, { sim: 'pin', pin: '9999' });
  const s = await waitFor(tr, (x) => x.status === 'down' && /PIN/.test(x.reason ?? ''), 10_000, 'down with PIN reason');
  assert.match(s.reason ?? '', /rejected the PIN/);
  assert.doesNotMatch(s.reason ?? '', /1234/, 'the PIN itself is never in a reason');
  await new Promise((r) => setTimeout(r, 2500));
  assert.equal(sim.commands.filter((c) => c.startsWith('AT+CPIN=')).length, 1);
  assert.equal(sim.commands.filter((c) => c.startsWith('AT+CFUN')).length, 0);
  assert.ok(dir);
});

test('a missing SIM is a configuration error: down with a clear reason, no reset loop', async (t) => {
  const { tr, sim } = await setup(t, { sim: 'missing' });
  const s = await waitFor(tr, (x) => x.status === 'down' && /SIM/.test(x.reason ?? ''), 10_000, 'down with SIM reason');
  assert.match(s.reason ?? '', /SIM not usable/);
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(sim.commands.filter((c) => c.startsWith('AT+CFUN')).length, 0);
});

test('a modem that ignores even CFUN=1,1 is recovered by the power-cycle hook command', async (t) => {
  const dir = await tempDir(t, 'kefu-pc-');
  const flag = join(dir, 'power-cycled');
  const { tr, sim } = await setup(t, { powerCycleFile: flag }, { modem: { port: '', apn: 'cmnet', powerCycleCommand: ['touch', flag] } });
  assert.ok(tr && sim);
  await waitFor(tr, isUp, 15_000, 'up');
  sim.hang('power-cycle');
  await waitFor(tr, (s) => s.status === 'down', 15_000, 'hang detected');
  await waitFor(tr, isUp, 30_000, 'recovered by power cycle');
  assert.ok(sim.commands.includes('AT+CFUN=1,1'), 'hard reset tried first');
});

test('a move from NR SA to LTE (+C5GREG: 0 then +CEREG: 1) is not a loss of service', async (t) => {
  const { tr, sim } = await setup(t, { rat: 'NR5G-SA' });
  const s = await waitFor(tr, isUp, 15_000, 'up');
  assert.equal(s.detail?.rat, 'NR5G-SA');
  const states: string[] = [];
  tr.onState((x) => states.push(x.status));
  await sim.sendUrc('+C5GREG: 0');
  await new Promise((r) => setTimeout(r, 100));
  sim.state.rat = 'LTE';
  await sim.sendUrc('+CEREG: 1,"2D66","1CA74B01",7');
  await new Promise((r) => setTimeout(r, 800));
  assert.ok(!states.includes('down'), `states: ${states.join(',')}`);
  await waitFor(tr, (x) => x.detail?.rat === 'LTE', 5000, 'LTE reported');
});
