// `kefu modem …` end to end: probe/at/signal against the simulator on a pty, parse per the DESIGN.md contract.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createModemSim } from '../sim/modem-sim.js';
import { tempDir } from '../helpers/tmp.js';

const bin = fileURLToPath(new URL('../../cli/bin.js', import.meta.url));

function kefu(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = execFile(process.execPath, [bin, ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
    p.stdin?.end(stdin ?? '');
  });
}

test('kefu modem probe / at / signal against a simulated SIM8200 on a pty', async (t) => {
  const dir = await tempDir(t, 'kefu-cli-');
  const sim = createModemSim({ dir, profile: 'simcom-sim8200' });
  await sim.start();
  t.after(() => sim.stop());
  const probe = await kefu(['--json', 'modem', 'probe', '--port', sim.modemPath]);
  assert.equal(probe.code, 0, probe.stderr);
  const r = JSON.parse(probe.stdout);
  assert.equal(r.profile, 'simcom-sim8200');
  assert.equal(r.model, 'SIMCOM_SIM8200EA-M2');
  assert.equal(r.sim, 'READY');
  assert.equal(r.registration, 'home');
  assert.equal(r.operator, 'CHINA MOBILE');
  assert.deepEqual([r.signal.rat, r.signal.band, r.signal.rsrp_dbm, r.signal.rsrq_db, r.signal.sinr_db], ['LTE', 3, -90, -10, 12]);
  assert.equal(r.verdict, 'good');
  const human = await kefu(['modem', 'probe', '--port', sim.modemPath]);
  assert.match(human.stdout, /MODEL.*VERDICT/);
  assert.match(human.stdout, /good/);

  const at = await kefu(['modem', 'at', 'AT+CSQ', '--port', sim.modemPath, '--timeout', '2000']);
  assert.equal(at.code, 0, at.stderr);
  assert.match(at.stdout, /^\+CSQ: 27,99\nOK$/m);
  const bad = await kefu(['modem', 'at', 'AT+NOPE', '--port', sim.modemPath]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /AT\+NOPE.*ERROR.*\[AT_ERROR\]/);

  sim.setSignal({ rsrp: -118, sinr: -4 });
  const sig = await kefu(['--json', 'modem', 'signal', '--port', sim.modemPath]);
  assert.equal(sig.code, 0, sig.stderr);
  const s = JSON.parse(sig.stdout);
  assert.equal(s.rsrp_dbm, -118);
  assert.equal(s.verdict, 'poor');
});

test('kefu modem parse follows the contract: JSON on success, non-zero exit with the reason otherwise', async () => {
  const { vectors } = JSON.parse(readFileSync(new URL('../fixtures/at/vectors-dev.json', import.meta.url), 'utf8')) as { vectors: { id: number; command: string; response: string }[] };
  const v1 = vectors.find((v) => v.id === 1)!;
  const a = await kefu(['modem', 'parse', '--command', v1.command, '--vendor', 'quectel', '--firmware', 'RM520NGLAAR03A04M4G'], v1.response);
  assert.equal(a.code, 0, a.stderr);
  assert.deepEqual([JSON.parse(a.stdout).sinr_raw, JSON.parse(a.stdout).sinr_db, JSON.parse(a.stdout).band], [14, 8, 66]);
  const v28 = vectors.find((v) => v.id === 28)!;
  const b = await kefu(['modem', 'parse', '--vendor', 'simcom'], v28.response);
  assert.equal(JSON.parse(b.stdout).nr.sinr_db, 15.3);
  const c = await kefu(['modem', 'parse'], '+QENG: "servingcell","NOCONN","LTE","FDD",460,01\r\nOK');
  assert.notEqual(c.code, 0);
  assert.match(c.stderr, /cannot parse reply: LTE row has/);
  assert.equal(c.stdout, '');
});

test('kefu modem probe finds every modem a glob matches', async (t) => {
  const dir = await tempDir(t, 'kefu-cli2-');
  const a = createModemSim({ dir, profile: 'quectel-ec2x', linkName: 'ttyUSB2' });
  const b = createModemSim({ dir, profile: 'huawei-me909s', linkName: 'ttyUSB5' });
  await a.start(); await b.start();
  t.after(() => Promise.all([a.stop(), b.stop()]));
  const r = await kefu(['--json', 'modem', 'probe', '--port', `${dir}/ttyUSB*`]);
  assert.equal(r.code, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as { port: string; profile: string }[];
  assert.deepEqual(rows.map((x) => [x.port.slice(dir.length + 1), x.profile]), [['ttyUSB2', 'quectel-ec2x'], ['ttyUSB5', 'huawei-me909s']]);
  const none = await kefu(['modem', 'probe', '--port', `${dir}/ttyACM*`]);
  assert.notEqual(none.code, 0);
  assert.match(none.stderr, /no modem found/);
});
