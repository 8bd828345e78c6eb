// Regression tests for config validation with the real section schemas: every problem in one pass (root,
// transports, plugins), unknown keys inside plugin and transport sections, environment variables named as the
// source, suggestions for misspelt keys; and every config the project ships or writes still validates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { configSections, pluginNames } from '../../daemon/builtins.js';
import { loadConfigFile, validateConfig } from '../../daemon/config/load.js';
import { ConfigError } from '../../protocol/errors.js';
import { parseTransportSpec } from '../../cli/commands/init.js';
import { demoPluginConfig } from '../../cli/commands/up.js';
import { tempDir } from '../helpers/tmp.js';

const base = () => ({
  box: { id: 'hall-01', region: 'demo' },
  master: { url: 'mqtt://127.0.0.1:1883' },
  transports: [{ id: 'eth', kind: 'wired' }] as Array<Record<string, unknown>>,
  plugins: {} as Record<string, unknown>,
});

function issuesOf(fn: () => unknown): string[] {
  try { fn(); } catch (err) { assert.ok(err instanceof ConfigError, String(err)); return err.issues; }
  assert.fail('expected a ConfigError');
}

test('root, transport and plugin problems are reported in one pass', async () => {
  const sections = await configSections();
  const c = base();
  Object.assign(c.box, { id: 42 });
  c.transports = [{ id: 'eth', kind: 'wird' }, { id: 'eth2', kind: 'wired', pollMs: -5 }];
  c.plugins = { chat: { agents: [{ id: 'a1', name: 'A', skills: ['general'], capacity: -1, passwordFile: '/x' }] } };
  const issues = issuesOf(() => validateConfig(c, sections));
  const has = (prefix: string) => assert.ok(issues.some((i) => i.startsWith(prefix)), `${prefix} in\n${issues.join('\n')}`);
  has('box.id:');
  has('transports[eth].kind:');
  has('transports[eth2].pollMs:');
  has('plugins.chat.agents[a1].capacity:');
});

test('unknown or invalid keys in plugin and transport sections are errors', async () => {
  const sections = await configSections();
  const c = base();
  c.transports = [{ id: 'eth', kind: 'wired', bogusKey: 3, classes: ['critical'] }];
  c.plugins = { video: { bogus: 1, broadcast: { voise: 'cmn' } }, chat: { businessHours: 'sometimes' }, system: {} };
  const issues = issuesOf(() => validateConfig(c, sections));
  assert.ok(issues.includes('plugins.video: Unrecognized key: "bogus"'), issues.join('\n'));
  assert.ok(issues.includes('plugins.video.broadcast: Unrecognized key: "voise" (did you mean "voice"?)'), issues.join('\n'));
  assert.ok(issues.includes('transports[eth]: Unrecognized key: "bogusKey"'), issues.join('\n'));
  assert.ok(issues.some((i) => i.startsWith('plugins.chat.businessHours: unknown business-hours preset')), issues.join('\n'));
  assert.ok(!issues.some((i) => i.includes('"classes"')), 'the fields every transport has are not unknown to a kind');
  assert.equal(issues.length, 4, issues.join('\n'));
});

test('errors from KEFU__ variables name the variable; a misspelt root key gets a suggestion; the file is named', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'kefu.yaml');
  await writeFile(file, 'box: { id: hall-01, region: demo }\nmaster: { url: "mqtt://127.0.0.1:1883" }\ndataDirr: /tmp/x\ntransports: [{ id: eth, kind: wired }]\n');
  const sections = await configSections();
  await assert.rejects(loadConfigFile(file, sections, { KEFU__HTTP__PORT: 'abc', KEFU__BOGUS: '1' }), (err: ConfigError) => {
    const issues = err.issues.join('\n');
    assert.match(issues, /^http\.port: .*KEFU__HTTP__PORT/m);
    assert.match(issues, /^\(root\): Unrecognized key: "bogus" .*KEFU__BOGUS/m);
    assert.match(issues, /^\(root\): Unrecognized key: "dataDirr" \(did you mean "dataDir"\?\)$/m);
    assert.ok(err.message.includes(file), `the message names the file: ${err.message}`);
    return true;
  });
  await writeFile(file, 'box:\n  id: [\n');
  await assert.rejects(loadConfigFile(file, sections, {}), (err: ConfigError) => {
    assert.doesNotMatch(err.issues[0], /:$/, err.issues[0]);
    assert.match(err.issues[0], /line \d+, column \d+/);
    return true;
  });
});

test('the configs kefu init and kefu up write and the README example validate', async (t) => {
  const sections = await configSections();
  const init = base();
  init.transports = ['wired', 'nr5g', 'lte:auto:wwan1', 'ble:AA:BB:CC:DD:EE:FF'].map((spec, i, all) => parseTransportSpec(spec, i, all));
  init.plugins = Object.fromEntries(pluginNames.map((p) => [p, {}]));
  validateConfig(init, sections);

  const up = base();
  const demo = demoPluginConfig(await tempDir(t));
  up.transports = [{ id: 'eth', kind: 'wired', localAddress: '127.0.0.1' }];
  up.plugins = Object.fromEntries(pluginNames.map((name) => [name, demo[name] ?? {}]));
  validateConfig(up, sections);

  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => parse(m[1]) as Record<string, unknown>).filter((b) => b && 'box' in b);
  assert.ok(blocks.length >= 1, 'the README has a box config example');
  for (const b of blocks) validateConfig(b, sections);
});

test('kefu init names links the way installers do; a kind given twice is numbered', () => {
  const specs = ['nr5g', 'lte', 'wired', 'wired:192.0.2.10', 'ble:AA:BB:CC:DD:EE:FF'];
  assert.deepEqual(specs.map((s, i, all) => parseTransportSpec(s, i, all).id), ['5g', '4g', 'eth', 'eth-2', 'ble']);
});

test('a problem inside a transport or an agent names it by its id, as installers know it; a shared id falls back to the index', async (t) => {
  const sections = await configSections();
  const c = base();
  c.transports = [
    { id: '5g', kind: 'nr5g' },
    { id: '4g', kind: 'lte', modem: { apn: 5, pinFlie: '/etc/kefu/pin' } },
    { id: 'eth', kind: 'wired', localAdress: '127.0.0.1' },
    { id: 'ble', kind: 'ble', bogus: 1 },
    { kind: 'wired' },
    { id: 'lab', kind: 'wird' }, { id: 'lab', kind: 'wired', pollMs: -5 },
  ];
  c.plugins = { chat: { agents: [{ id: 'a1', name: 'A', skills: ['general'], capacity: -1, passwordFile: '/x' }] } };
  const dir = await tempDir(t);
  const file = join(dir, 'kefu.yaml');
  await writeFile(file, stringify(c));
  await assert.rejects(loadConfigFile(file, sections, { KEFU__TRANSPORTS__1__MODEM__PORT: '' }), (err: ConfigError) => {
    const issues = err.issues;
    const has = (line: RegExp) => assert.ok(issues.some((i) => line.test(i)), `${line} in\n${issues.join('\n')}`);
    has(/^transports\[4g\]\.modem\.apn: Invalid input: expected string, received number$/);
    has(/^transports\[4g\]\.modem: Unrecognized key: "pinFlie" \(did you mean "pinFile"\?\)$/);
    has(/^transports\[4g\]\.modem\.port: .*\(from the environment variable KEFU__TRANSPORTS__1__MODEM__PORT, not the file\)$/);
    has(/^transports\[eth\]: Unrecognized key: "localAdress" \(did you mean "localAddress"\?\)$/);
    has(/^transports\[ble\]: Unrecognized key: "bogus"$/);
    has(/^transports\[4\]\.id: /); // no id: its position
    has(/^transports\[5\]\.kind: /); // two entries say "lab": each by its position
    has(/^transports\[6\]\.id: duplicate transport id "lab"$/);
    has(/^transports\[6\]\.pollMs: /);
    has(/^plugins\.chat\.agents\[a1\]\.capacity: /);
    assert.ok(!issues.some((i) => /transports\[[0-3]\]/.test(i)), `no transport with its own id is named by position:\n${issues.join('\n')}`);
    assert.ok(err.message.includes(issues.find((i) => i.startsWith('transports[4g].modem.apn'))!), 'the printed message carries the same lines');
    return true;
  });
});
