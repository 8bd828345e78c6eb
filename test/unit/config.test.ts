import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { applyEnvOverrides, loadConfigFile, validateConfig } from '../../daemon/config/load.js';
import { ConfigError } from '../../protocol/errors.js';
import { tempDir } from '../helpers/tmp.js';

const sections = {
  transports: { wired: z.object({ id: z.string(), kind: z.literal('wired'), localAddress: z.string().optional() }) },
  plugins: { chat: z.object({ kb: z.string() }).strict(), system: z.object({}).strict() },
};
const good = {
  box: { id: 'hall-01', region: 'dandong' },
  master: { url: 'mqtt://127.0.0.1:1883', username: 'hall-01' },
  transports: [{ id: 'eth', kind: 'wired' }],
  plugins: { system: {} },
};

test('a valid config loads with defaults applied', () => {
  const c = validateConfig(structuredClone(good), sections);
  assert.equal(c.root.http.port, 8443);
  assert.equal(c.root.master.keepaliveSeconds, 5);
  assert.equal(c.root.uplink.inflightWindow, 1024);
  assert.deepEqual(c.transports, [{ id: 'eth', kind: 'wired' }]);
});

test('every problem is reported at once as path: message', () => {
  const bad = {
    box: { id: 'Hall 01', region: 'dandong' },
    master: { url: 'http://x' },
    uplink: { inflightWindow: 0, nagle: true },
    transports: [{ id: 'eth', kind: 'wired', localAddress: 5 }, { id: 'eth', kind: 'ble' }],
    plugins: { chat: { kb: 3 }, nope: {} },
  };
  const root = () => validateConfig(bad, sections);
  assert.throws(root, (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    assert.equal(err.code, 'CONFIG_INVALID');
    assert.ok(err.issues.some((i) => i.startsWith('box.id:')), err.issues.join('\n'));
    assert.ok(err.issues.some((i) => i.startsWith('master.url:')));
    assert.ok(err.issues.some((i) => i.startsWith('uplink.inflightWindow:')), err.issues.join('\n'));
    assert.ok(err.issues.some((i) => i.startsWith('uplink:') && i.includes('nagle')), err.issues.join('\n'));
    return true;
  });
  const fixedRoot = { ...bad, box: good.box, master: good.master, uplink: {} };
  assert.throws(() => validateConfig(fixedRoot, sections), (err: unknown) => {
    const issues = (err as ConfigError).issues;
    assert.ok(issues.includes('transports[0].localAddress: Invalid input: expected string, received number'), issues.join('\n'));
    assert.ok(issues.some((i) => i.startsWith('transports[1].id: duplicate')));
    assert.ok(issues.some((i) => i.startsWith('transports[1].kind: no transport of kind "ble"')));
    assert.ok(issues.some((i) => i.startsWith('plugins.chat.kb:')));
    assert.ok(issues.some((i) => i.startsWith('plugins.nope: unknown plugin')));
    return true;
  });
});

test('KEFU__ environment variables override keys case-insensitively', () => {
  const raw = structuredClone(good) as Record<string, unknown>;
  applyEnvOverrides(raw, { KEFU__BOX__ID: 'hall-02', KEFU__MASTER__KEEPALIVESECONDS: '2', KEFU__HTTP__PORT: '9000', OTHER: 'x' });
  const c = validateConfig(raw, sections);
  assert.equal(c.root.box.id, 'hall-02');
  assert.equal(c.root.master.keepaliveSeconds, 2);
  assert.equal(c.root.http.port, 9000);
});

test('broken YAML and missing files are config errors naming the file', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'kefu.yaml');
  await writeFile(file, 'box: { id: hall-01\nmaster: [');
  await assert.rejects(loadConfigFile(file, sections), (err: unknown) => err instanceof ConfigError && err.issues[0].startsWith(file));
  await assert.rejects(loadConfigFile(join(dir, 'missing.yaml'), sections), (err: unknown) => err instanceof ConfigError && /ENOENT/.test(err.issues[0]));
  await writeFile(file, 'box: {id: hall-01, region: dd}\nmaster: {url: "mqtt://h:1"}\ndataDir: ./data\ntransports: [{id: eth, kind: wired}]\n');
  const c = await loadConfigFile(file, sections, {});
  assert.equal(c.root.dataDir, join(dir, 'data'));
});
