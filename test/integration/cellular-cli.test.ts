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

// Each spawn loads the whole CLI (a few seconds on a busy machine), so the cases share spawns.
test('kefu modem probe finds every modem a glob matches; at and signal talk to one of them', async (t) => {
  const dir = await tempDir(t, 'kefu-cli-');
  const a = createModemSim({ dir, profile: 'quectel-ec2x', linkName: 'ttyUSB2' });
  const b = createModemSim({ dir, profile: 'simcom-sim8200', linkName: 'ttyUSB5' });
  await a.start(); await b.start();
  t.after(() => Promise.all([a.stop(), b.stop()]));
  const probe = await kefu(['--json', 'modem', 'probe', '--port', `${dir}/ttyUSB*`]);
  assert.equal(probe.code, 0, probe.stderr);
  const rows = JSON.parse(probe.stdout) as Record<string, any>[];
  assert.deepEqual(rows.map((x) => [x.port.slice(dir.length + 1), x.profile]), [['ttyUSB2', 'quectel-ec2x'], ['ttyUSB5', 'simcom-sim8200']]);
  const r = rows[1];
  assert.equal(r.model, 'SIMCOM_SIM8200EA-M2');
  assert.equal(r.sim, 'READY');
  assert.equal(r.registration, 'home');
  assert.equal(r.operator, 'CHINA MOBILE');
  assert.deepEqual([r.signal.rat, r.signal.band, r.signal.rsrp_dbm, r.signal.rsrq_db, r.signal.sinr_db], ['LTE', 3, -90, -10, 12]);
  assert.equal(r.verdict, 'good');

  b.setSignal({ rsrp: -118, sinr: -4 });
  const [at, sig] = await Promise.all([
    kefu(['modem', 'at', 'AT+CSQ', '--port', a.modemPath, '--timeout', '2000']),
    kefu(['--json', 'modem', 'signal', '--port', b.modemPath]),
  ]);
  assert.equal(at.code, 0, at.stderr);
  assert.match(at.stdout, /^\+CSQ: 27,99\nOK$/m);
  assert.equal(sig.code, 0, sig.stderr);
  const s = JSON.parse(sig.stdout);
  assert.equal(s.rsrp_dbm, -118);
  assert.equal(s.verdict, 'poor');

  const bad = await kefu(['modem', 'at', 'AT+NOPE', '--port', a.modemPath]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /AT\+NOPE.*ERROR.*\[AT_ERROR\]/);
});

test('kefu modem parse follows the contract: JSON on success, non-zero exit with the reason otherwise', async () => {
  const { vectors } = JSON.parse(readFileSync(new URL('../fixtures/at/vectors-dev.json', import.meta.url), 'utf8')) as { vectors: { id: number; command: string; response: string }[] };
  const v1 = vectors.find((v) => v.id === 1)!;
  const [a, c] = await Promise.all([
    kefu(['modem', 'parse', '--command', v1.command, '--vendor', 'quectel', '--firmware', 'RM520NGLAAR03A04M4G'], v1.response),
    kefu(['modem', 'parse'], '+QENG: "servingcell","NOCONN","LTE","FDD",460,01\r\nOK'),
  ]);
  assert.equal(a.code, 0, a.stderr);
  const rec = JSON.parse(a.stdout);
  assert.deepEqual([rec.sinr_raw, rec.sinr_db, rec.band, rec.cell_id], [14, 8, 66, 3359264]);
  assert.notEqual(c.code, 0);
  assert.match(c.stderr, /cannot parse reply: LTE row has/);
  assert.equal(c.stdout, '');
});

test('with no modem, probe, at and signal all say MODEM_NOT_FOUND and name the port', { timeout: 120_000 }, async (t) => {
  const dir = await tempDir(t, 'kefu-nomodem-');
  const port = `${dir}/ttyUSB*`;
  const runs = await Promise.all([
    kefu(['--json', 'modem', 'probe', '--port', port]),
    kefu(['--json', 'modem', 'at', 'ATI', '--port', port]),
    kefu(['--json', 'modem', 'signal', '--port', `${dir}/ttyUSB9`]),
  ]);
  for (const [i, r] of runs.entries()) {
    assert.equal(r.code, 1, `run ${i}: ${r.stdout}${r.stderr}`);
    const { error } = JSON.parse(r.stdout) as { error: { code: string; message: string } };
    assert.equal(error.code, 'MODEM_NOT_FOUND', `run ${i}: ${r.stdout}`);
    assert.ok(error.message.includes(dir), error.message);
  }
  const human = await kefu(['modem', 'at', 'ATI', '--port', port]);
  assert.match(human.stderr, /^kefu: no modem found at port ".*ttyUSB\*".*\[MODEM_NOT_FOUND\]\n$/);
});
