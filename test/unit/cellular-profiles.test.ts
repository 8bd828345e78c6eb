// Firmware profiles: every shipped file validates, matching picks the right family, a broken file is reported
// as `file: path: message` for every problem at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../protocol/errors.js';
import { DEFAULT_PROFILE_DIR, loadProfiles, matchProfile, validateProfile, vendorUnits } from '../../transports/cellular/profiles.js';
import { findPorts } from '../../transports/cellular/port-discovery.js';
import { CellularConfigSchema } from '../../transports/cellular/config.js';

test('every shipped profile validates and names a parser for each poll', async () => {
  const ps = await loadProfiles();
  assert.deepEqual(ps.map((p) => p.name).sort(), ['generic-3gpp', 'huawei-me909s', 'quectel-ec2x', 'quectel-rm5xx', 'simcom-sim7600', 'simcom-sim8200']);
  assert.equal(ps.filter((p) => p.fallback).length, 1);
});

test('matching by ATI / AT+CGMR globs, with the generic fallback', async () => {
  const ps = await loadProfiles();
  const m = (id: { ati?: string; cgmr?: string }) => matchProfile(ps, id)?.name;
  assert.equal(m({ cgmr: 'RM500QGLABR11A06M4G' }), 'quectel-rm5xx');
  assert.equal(m({ ati: 'Quectel\nRG500Q-EA\nRevision: RG500QEAAAR11A06M4G' }), 'quectel-rm5xx');
  assert.equal(m({ cgmr: 'EC25EFAR06A06M4G' }), 'quectel-ec2x');
  assert.equal(m({ ati: 'Manufacturer: SIMCOM INCORPORATED\nModel: SIMCOM_SIM8202G-M2' }), 'simcom-sim8200');
  assert.equal(m({ cgmr: 'LE20B04SIM7600G22' }), 'simcom-sim7600');
  assert.equal(m({ ati: 'Model: ME909s-821', cgmr: '11.617.01.00.00' }), 'huawei-me909s');
  assert.equal(m({ ati: 'Manufacturer: u-blox\nModel: TOBY-L280' }), 'generic-3gpp');
  // vendor-only units keep only what every profile of the vendor agrees on
  assert.deepEqual(vendorUnits(ps, 'quectel'), {});
});

test('a broken profile file lists every problem as file: path: message', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kefu-prof-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const good = await readFile(join(DEFAULT_PROFILE_DIR, 'quectel-ec2x.yaml'), 'utf8');
  const broken = good.replace('name: quectel-ec2x', 'name: Quectel EC2x').replace('parser: qeng', 'parser: qengx').replace(/capabilities: .*/, 'capabilities: { rats: [LTE, 6G] }');
  await writeFile(join(dir, 'broken.yaml'), broken);
  await writeFile(join(dir, 'bad-yaml.yaml'), 'name: [unclosed');
  await assert.rejects(loadProfiles(dir), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    const text = e.issues.join('\n');
    assert.match(text, /^broken\.yaml: name: lower-case kebab name$/m);
    assert.match(text, /^broken\.yaml: signal\.0\.parser: unknown parser/m);
    assert.match(text, /^broken\.yaml: capabilities\.rats\.1: /m);
    assert.match(text, /^bad-yaml\.yaml: \(root\): /m);
    return true;
  });
  assert.throws(() => validateProfile({ name: 'x' }, 'x.yaml'), (e: unknown) => e instanceof ConfigError && e.issues.some((i) => i.startsWith('x.yaml: vendor:')));
});

test('port discovery: auto matches USB VID/PID and the AT interface; a glob finds ptys', async () => {
  const list = async () => [
    { path: '/dev/ttyUSB0', vendorId: '2c7c', productId: '0801', pnpId: 'usb-Quectel_RM520N-GL_abc-if00-port0' },
    { path: '/dev/ttyUSB3', vendorId: '2c7c', productId: '0801', pnpId: 'usb-Quectel_RM520N-GL_abc-if03-port0' },
    { path: '/dev/ttyS0' },
  ];
  const ps = await loadProfiles();
  assert.deepEqual(await findPorts({ port: 'auto', usb: ps.flatMap((p) => p.usb) }, { list }), ['/dev/ttyUSB3']);
  assert.deepEqual(await findPorts({ port: '/nonexistent/ttyX*', usb: [] }), []);
});

test('transport config: defaults, and errors as paths', () => {
  const c = CellularConfigSchema.parse({ id: '5g', kind: 'nr5g' });
  assert.equal(c.modem.port, 'auto');
  assert.equal(c.timing.keepaliveMs, 2500);
  const bad = CellularConfigSchema.safeParse({ id: '5g', kind: 'wifi', modem: { pinfile: 'x' } });
  assert.ok(!bad.success);
  const paths = bad.error.issues.map((i) => i.path.join('.'));
  assert.ok(paths.includes('kind') && paths.some((p) => p.startsWith('modem')));
});
