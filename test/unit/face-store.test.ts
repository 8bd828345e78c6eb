import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { tempDir } from '../helpers/tmp.js';
import { createRootStore, sublevel } from '../../daemon/store.js';
import { open, readKeyFile, readOrCreateKeyFile, seal } from '../../plugins/faceauth/store/crypto.js';
import { createTemplateStore } from '../../plugins/faceauth/store/template-store.js';
import { l2normalise } from '../../plugins/faceauth/engine/vector.js';

const randomUnit = () => l2normalise(Float32Array.from({ length: 512 }, () => Math.random() - 0.5));

test('sealed records open only with the same key and the same record name', () => {
  const key = randomBytes(32);
  const s = seal(key, Buffer.from('secret embedding'), 'tpl:alice');
  assert.equal(open(key, s, 'tpl:alice').toString(), 'secret embedding');
  assert.throws(() => open(key, s, 'tpl:bob'), { code: 'FACE_TEMPLATE_TAMPERED' });
  assert.throws(() => open(randomBytes(32), s, 'tpl:alice'), { code: 'FACE_TEMPLATE_TAMPERED' });
  const ct = Buffer.from(s.ct, 'base64'); ct[0] ^= 1;
  assert.throws(() => open(key, { ...s, ct: ct.toString('base64') }, 'tpl:alice'), { code: 'FACE_TEMPLATE_TAMPERED' });
  assert.notEqual(seal(key, Buffer.from('x'), 'a').iv, seal(key, Buffer.from('x'), 'a').iv);
});

test('key files: hex, base64 or raw 32 bytes; created 0600 when missing; a short key is refused', async (t) => {
  const dir = await tempDir(t);
  const k = randomBytes(32);
  await writeFile(join(dir, 'hex'), k.toString('hex') + '\n');
  await writeFile(join(dir, 'b64'), k.toString('base64'));
  await writeFile(join(dir, 'raw'), k);
  await writeFile(join(dir, 'short'), 'abc');
  for (const f of ['hex', 'b64', 'raw']) assert.deepEqual(await readKeyFile(join(dir, f)), k);
  await assert.rejects(readKeyFile(join(dir, 'short')), { code: 'FACE_KEY_INVALID' });
  await assert.rejects(readKeyFile(join(dir, 'none')), { code: 'FACE_KEY_MISSING' });
  const created = await readOrCreateKeyFile(join(dir, 'sub', 'template.key'));
  assert.equal(created.length, 32);
  assert.equal((await stat(join(dir, 'sub', 'template.key'))).mode & 0o777, 0o600);
  assert.deepEqual(await readOrCreateKeyFile(join(dir, 'sub', 'template.key')), created);
});

test('templates are encrypted at rest, round-trip, list and delete', async (t) => {
  const dir = await tempDir(t);
  const root = createRootStore(join(dir, 'db'));
  t.after(() => root.close());
  const key = randomBytes(32);
  const store = createTemplateStore(sublevel(root, 'plugin:faceauth'), key);
  const a = randomUnit(), b = randomUnit();
  await store.put('alice', a, { frames: 3, model: 'm' });
  await store.put('bob', b, { frames: 4, model: 'm' });
  await store.putImages('bob', [new Uint8Array([1, 2, 3])]);
  assert.deepEqual((await store.get('alice'))!.template, a);
  assert.equal((await store.get('bob'))!.meta.frames, 4);
  assert.deepEqual((await store.accounts()).sort(), ['alice', 'bob']);
  assert.equal(await store.imageCount('bob'), 1);
  // no record holds the template's bytes (or their base64) in clear
  const needle = Buffer.from(a.buffer).subarray(0, 16);
  for await (const [, v] of root.iterator()) {
    const text = JSON.stringify(v);
    assert.ok(!text.includes(needle.toString('base64').slice(0, 12)), 'base64 of the embedding found at rest');
  }
  const files = await readdir(join(dir, 'db'));
  for (const f of files) assert.ok(!(await readFile(join(dir, 'db', f))).includes(needle), `embedding bytes found in ${f}`);
  assert.equal(await store.delete('bob'), true);
  assert.equal(await store.get('bob'), null);
  assert.equal(await store.imageCount('bob'), 0);
  assert.equal(await store.delete('bob'), false);
  // another key cannot read the records
  await assert.rejects(createTemplateStore(sublevel(root, 'plugin:faceauth'), randomBytes(32)).get('alice'), { code: 'FACE_TEMPLATE_TAMPERED' });
});
