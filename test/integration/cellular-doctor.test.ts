// `kefu doctor` checks for a cellular link, against the simulator: what passes, what fails, and the fix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import cellular from '../../transports/cellular/index.js';
import { cellularDoctorChecks } from '../../transports/cellular/doctor.js';
import { createModemSim } from '../sim/modem-sim.js';
import { tempDir } from '../helpers/tmp.js';
import { silentLogger } from '../../daemon/logger.js';

test('the DESIGN.md transport entries validate against the cellular schema', () => {
  const entries = parseYaml(`
- { id: 5g,  kind: nr5g,  modem: { port: auto, profile: auto, apn: cmnet, pinFile: /etc/kefu/sim.pin }, netdev: wwan0 }
- { id: 4g,  kind: lte,   modem: { port: /dev/serial/by-id/usb-Quectel_EC25-if02-port0 }, netdev: wwan1, classes: [critical, event] }
`) as unknown[];
  for (const e of entries) assert.ok(cellular.config.safeParse(e).success, JSON.stringify(e));
  assert.deepEqual([cellular.kind].flat(), ['nr5g', 'lte']);
});

test('doctor: port, SIM, registration and signal pass on a healthy modem; the data call fails with a fix until dialled', async (t) => {
  const dir = await tempDir(t, 'kefu-doc-');
  const sim = createModemSim({ dir, profile: 'huawei-me909s' });
  await sim.start();
  t.after(() => sim.stop());
  const config = cellular.config.parse({ id: '4g', kind: 'lte', modem: { port: sim.modemPath }, netdev: 'lo' });
  const checks = await cellularDoctorChecks(config);
  const by = Object.fromEntries(checks.map((c) => [c.name, c]));
  assert.deepEqual(checks.map((c) => c.name), ['4g: modem port', '4g: SIM', '4g: registration', '4g: signal', '4g: data call']);
  assert.ok(by['4g: modem port'].ok && /huawei-me909s/.test(by['4g: modem port'].detail));
  assert.ok(by['4g: SIM'].ok);
  assert.ok(by['4g: registration'].ok && /CHINA MOBILE/.test(by['4g: registration'].detail));
  assert.ok(by['4g: signal'].ok, by['4g: signal'].detail);
  assert.equal(by['4g: data call'].ok, false);
  assert.match(by['4g: data call'].fix, /apn/);
  // the host-shaped checks share one probe
  sim.state.sim = 'pin';
  const host = cellular.doctor!(config, { log: silentLogger(), dataDir: dir, readSecret: async () => '' });
  const results = await Promise.all(host.map((c) => c.run(AbortSignal.timeout(10_000))));
  assert.equal(results[1].ok, false);
  assert.match(results[1].fix ?? '', /pinFile/);
});

test('doctor without a modem: one failing port check that says what to do', async (t) => {
  const dir = await tempDir(t, 'kefu-doc-');
  const config = cellular.config.parse({ id: '5g', kind: 'nr5g', modem: { port: join(dir, 'ttyUSB*') } });
  const checks = await cellularDoctorChecks(config);
  assert.equal(checks.length, 1);
  assert.equal(checks[0].ok, false);
  assert.match(checks[0].fix, /by-id/);
});
