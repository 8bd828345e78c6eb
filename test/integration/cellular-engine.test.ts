// The AT engine against the modem simulator on real ptys (socat).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAtEngine, type Urc } from '../../transports/cellular/at/engine.js';
import { AtCommandError } from '../../transports/cellular/at/errors.js';
import { openSerialPort } from '../../transports/cellular/at/serial-port.js';
import { waitForPort } from '../../transports/cellular/port-discovery.js';
import { createModemSim } from '../sim/modem-sim.js';
import { tempDir } from '../helpers/tmp.js';

async function setup(t: import('node:test').TestContext, simOpts: Partial<Parameters<typeof createModemSim>[0]> = {}) {
  const dir = await tempDir(t, 'kefu-at-');
  const sim = createModemSim({ dir, ...simOpts });
  await sim.start();
  t.after(() => sim.stop());
  const port = await openSerialPort(sim.modemPath);
  t.after(() => port.close());
  const engine = createAtEngine({ port, defaultTimeoutMs: 2000 });
  t.after(() => engine.dispose());
  return { dir, sim, port, engine };
}

test('round trips tolerate echo, then ATE0 turns it off; ATI returns every identity line', async (t) => {
  const { engine, sim } = await setup(t);
  assert.equal(sim.state.echo, true);
  const r = await engine.send('ATI');
  assert.deepEqual(r.lines, ['Quectel', 'RM520N-GL', 'Revision: RM520NGLAAR03A04M4G']);
  assert.equal(r.final, 'OK');
  await engine.send('ATE0');
  assert.equal(sim.state.echo, false);
  const q = await engine.send('AT+QENG="servingcell"');
  assert.match(q.lines[0], /^\+QENG: "servingcell","NOCONN","LTE"/);
});

test('+CME ERROR and ERROR become AtCommandError with the command, the raw reply and the code', async (t) => {
  const { engine } = await setup(t, { sim: 'missing' });
  await assert.rejects(engine.send('AT+CPIN?'), (e: unknown) => {
    assert.ok(e instanceof AtCommandError);
    assert.equal(e.code, 'AT_CME_ERROR');
    assert.equal(e.command, 'AT+CPIN?');
    assert.equal(e.cme, '10');
    assert.deepEqual(e.response, ['+CME ERROR: 10']);
    return true;
  });
  await assert.rejects(engine.send('AT+NOSUCH'), (e: unknown) => e instanceof AtCommandError && e.code === 'AT_ERROR');
  // the queue keeps working after errors
  assert.equal((await engine.send('AT')).final, 'OK');
});

test('URCs arriving while a command is in flight are routed as events, not mixed into the reply', async (t) => {
  const { engine, sim } = await setup(t, { replyDelayMs: 150 });
  const urcs: Urc[] = [];
  engine.onUrc((u) => urcs.push(u));
  const pending = engine.send('AT+CEREG?');
  await new Promise((r) => setTimeout(r, 40));
  await sim.sendUrc('+CGEV: NW DEACT IP, 10.76.51.180, 1');
  await sim.sendUrc('+QNETDEVSTATUS: 0');
  await sim.sendUrc('+CEREG: 0');
  const reply = await pending;
  assert.deepEqual(reply.lines, ['+CEREG: 2,1,"2D66","1CA74B01",7']);
  assert.deepEqual(urcs.map((u) => u.prefix), ['+CGEV', '+QNETDEVSTATUS', '+CEREG'], 'even a +CEREG URC during AT+CEREG? is told apart');
  // and outside a command every line is a URC
  await sim.dropRegistration();
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(urcs.at(-1)?.line, '+CEREG: 0');
});

test('commands are serialised: concurrent sends get their own replies in order', async (t) => {
  const { engine } = await setup(t);
  const [a, b, c] = await Promise.all([engine.send('AT+CSQ'), engine.send('AT+CGMR'), engine.send('AT+CEREG?')]);
  assert.match(a.lines[0], /^\+CSQ:/);
  assert.deepEqual(b.lines, ['RM520NGLAAR03A04M4G']);
  assert.match(c.lines[0], /^\+CEREG:/);
});

test('a hung modem times out per command and signals a hang after three consecutive timeouts', async (t) => {
  const { engine, sim } = await setup(t);
  let hangs = 0;
  engine.onHang(() => { hangs += 1; });
  sim.hang('never');
  for (let i = 0; i < 3; i++) {
    await assert.rejects(engine.send('AT', { timeoutMs: 150 }), (e: unknown) => e instanceof AtCommandError && e.code === 'AT_TIMEOUT');
  }
  assert.equal(engine.consecutiveTimeouts, 3);
  assert.equal(hangs, 1);
});

test('vanish closes the port and fails the in-flight command; a glob finds the re-enumerated tty', async (t) => {
  const { engine, sim, dir } = await setup(t);
  sim.hang('never');
  const started = Date.now();
  const outcome = engine.send('AT', { timeoutMs: 5000 }).then(() => null, (e: unknown) => e);
  await sim.vanish();
  const err = await outcome;
  assert.ok(err instanceof AtCommandError && err.code === 'AT_PORT_CLOSED', String(err));
  assert.ok(Date.now() - started < 1000, 'port close seen quickly');
  await sim.reenumerate('ttyModem7');
  const path = await waitForPort({ port: `${dir}/ttyModem*`, usb: [] }, { timeoutMs: 3000 });
  assert.equal(path, `${dir}/ttyModem7`);
  const port2 = await openSerialPort(path!);
  t.after(() => port2.close());
  const e2 = createAtEngine({ port: port2 });
  t.after(() => e2.dispose());
  assert.equal((await e2.send('AT')).final, 'OK');
});

test('a device node that disappears (udev removed it) closes the port even when no hang-up event comes', async (t) => {
  const { port, sim } = await setup(t);
  const { unlink } = await import('node:fs/promises');
  const closed = new Promise<Error | undefined>((r) => port.onClose(r));
  const started = Date.now();
  await unlink(sim.modemPath); // the pty itself stays open: only the node is gone
  const err = await closed;
  assert.equal((err as { code?: string } | undefined)?.code, 'PORT_VANISHED');
  assert.ok(Date.now() - started < 1500, `seen after ${Date.now() - started} ms`);
});

test('the simulator replays recorded transcripts: dev vector 1 through the engine parses with the RM520N units', async (t) => {
  const { readFileSync } = await import('node:fs');
  const { parseReply } = await import('../../transports/cellular/at/registry.js');
  const { loadProfiles } = await import('../../transports/cellular/profiles.js');
  const { vectors } = JSON.parse(readFileSync(new URL('../fixtures/at/vectors-dev.json', import.meta.url), 'utf8')) as { vectors: { id: number; command: string; response: string }[] };
  const v1 = vectors.find((v) => v.id === 1)!;
  const { engine } = await setup(t, { recorded: { [v1.command]: v1.response } });
  const r = await engine.send(v1.command);
  assert.equal(r.lines[0], v1.response.split('\n')[0]);
  const profile = (await loadProfiles()).find((p) => p.name === 'quectel-rm5xx')!;
  const parsed = parseReply(r.lines.join('\n'), { command: v1.command, units: profile.units });
  assert.ok(parsed.ok && parsed.record.sinr_db === 8 && parsed.record.rsrp_dbm === -96);
});
