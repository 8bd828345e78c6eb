// Regression (review s7 #7): `kefu doctor` checks every file the config names — found by the fileRef marks in
// each section's schema, not by a list — and says which setting and which path, with what to do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { z } from 'zod';
import { configSections, loadBoxConfig } from '../../daemon/builtins.js';
import { markOf } from '../../daemon/config/file-ref.js';
import { RootConfig } from '../../daemon/config/schema.js';
import { configFileRefs, fileChecks } from '../../daemon/doctor/file-checks.js';
import { tempDir } from '../helpers/tmp.js';

test('every file the config names is found and checked by its setting, with a fix (the chat KB with its default)', async (t) => {
  const dir = await tempDir(t);
  const tls = join(dir, 'tls');
  await mkdir(tls);
  await writeFile(join(tls, 'box.crt'), 'cert');
  await writeFile(join(dir, 'sim.pin'), '  \n');
  await writeFile(join(dir, 'a1.secret'), 'pw\n', { mode: 0o600 });
  const file = join(dir, 'kefu.yaml');
  await writeFile(file, stringify({
    box: { id: 'hall-01', region: 'dd' },
    master: { url: 'mqtt://127.0.0.1:1883', username: 'hall-01', passwordFile: join(dir, 'box.secret'), caFile: join(dir, 'ca.crt') },
    dataDir: join(dir, 'data'),
    http: { port: 0, tls: { cert: join(tls, 'box.crt'), key: join(tls, 'box.key') } },
    transports: [{ id: 'eth', kind: 'wired' }, { id: '5g', kind: 'nr5g', modem: { port: 'auto', pinFile: join(dir, 'sim.pin'), profileDir: join(dir, 'sim.pin') } }],
    plugins: { chat: { kb: '/etc/kefu/kb.json', agents: [{ id: 'a1', name: 'A', skills: ['general'], passwordFile: join(dir, 'a1.secret') }] } },
  }));
  const config = await loadBoxConfig(file);
  const uses = configFileRefs(config, await configSections());
  assert.deepEqual(uses.map((u) => u.key).sort(), [
    'http.tls.cert', 'http.tls.key', 'plugins.chat.agents[a1].passwordFile', 'plugins.chat.kb',
    'transports[5g].modem.pinFile', 'transports[5g].modem.profileDir',
  ], 'master.passwordFile and master.caFile have checks of their own');

  const results = Object.fromEntries(await Promise.all(fileChecks(uses).map(async (c) => [c.name, await c.run(AbortSignal.timeout(5000))] as const)));
  assert.deepEqual(results['http.tls.cert'], { ok: true, detail: `${join(tls, 'box.crt')} is readable` });
  assert.equal(results['http.tls.key'].ok, false);
  assert.equal(results['http.tls.key'].detail, `http.tls.key: cannot read ${join(tls, 'box.key')} (ENOENT)`);
  assert.match(results['http.tls.key'].fix ?? '', /correct http\.tls\.key/);
  assert.equal(results['plugins.chat.kb'].detail, 'plugins.chat.kb: cannot read /etc/kefu/kb.json (ENOENT)');
  assert.match(results['plugins.chat.kb'].fix ?? '', /leave plugins\.chat\.kb out: the box then copies the bundled tax-hall sample KB to <dataDir>\/chat\/kb\.json/);
  assert.equal(results['transports[5g].modem.pinFile'].detail, `transports[5g].modem.pinFile: ${join(dir, 'sim.pin')} is empty`);
  assert.equal(results['transports[5g].modem.profileDir'].detail, `transports[5g].modem.profileDir: ${join(dir, 'sim.pin')} is not a folder`);
  assert.equal(results['plugins.chat.agents[a1].passwordFile'].ok, true);
});

/** Every object key of a schema, with the schema under it, through wrappers, arrays and records. */
function* settings(schema: z.ZodType, path: string, depth = 0): Generator<{ path: string; leaf: z.ZodType; chain: z.ZodType[] }> {
  const chain: z.ZodType[] = [];
  let s = schema;
  for (;;) {
    chain.push(s);
    const def = (s as unknown as { _zod: { def: { type: string; innerType?: z.ZodType; in?: z.ZodType } } })._zod.def;
    if (def.innerType) s = def.innerType; else if (def.type === 'pipe' && def.in) s = def.in; else break;
  }
  yield { path, leaf: s, chain };
  if (depth > 20) return;
  const def = (s as unknown as { _zod: { def: { type: string; shape?: Record<string, z.ZodType>; element?: z.ZodType; valueType?: z.ZodType; options?: z.ZodType[] } } })._zod.def;
  if (def.type === 'object') for (const [k, v] of Object.entries(def.shape ?? {})) yield* settings(v, `${path}.${k}`, depth + 1);
  if (def.type === 'array' && def.element) yield* settings(def.element, `${path}[]`, depth + 1);
  if (def.type === 'record' && def.valueType) yield* settings(def.valueType, `${path}.*`, depth + 1);
  if (def.type === 'union') for (const o of def.options ?? []) yield* settings(o, path, depth + 1);
}

test('every setting named like a file or folder, in every installed section, carries a fileRef mark', async () => {
  const sections = await configSections();
  const all = [['(root)', RootConfig], ...Object.entries(sections.transports).map(([k, s]) => [`transports.${k}`, s]),
    ...Object.entries(sections.plugins).map(([k, s]) => [`plugins.${k}`, s])] as Array<[string, z.ZodType]>;
  const unmarked: string[] = [];
  for (const [name, schema] of all) {
    for (const s of settings(schema, name)) {
      const key = s.path.split(/[.[]/).pop()!;
      if (!/(File|Dir)$|^(kb|cert|key)$/.test(key) || key === 'dataDir') continue;
      if (!s.chain.some((c) => markOf(c))) unmarked.push(s.path);
    }
  }
  assert.deepEqual(unmarked, [], 'mark these with fileRef() so doctor checks them');
});
