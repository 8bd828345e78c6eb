// `kefu face …` as a user runs it: the eval contract of DESIGN.md, and enroll / verify / delete on a data folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kefuRun } from '../helpers/kefu-cli.js';
import { tempDir } from '../helpers/tmp.js';
import { DEFAULT_THRESHOLD } from '../../plugins/faceauth/config.js';
import { createRootStore } from '../../daemon/store.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const P = join(ROOT, 'test/fixtures/faces/persons');
const kefu = (args: string[]) => kefuRun(args, ROOT, { env: { KEFU_CONFIG: '/nonexistent/kefu.yaml' }, timeoutMs: 120_000 });

test('kefu face eval --json prints the contract fields at the configured threshold', async (t) => {
  const r = await kefu(['face', 'eval', '--dir', P, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(out).sort(), ['detected', 'far', 'frr', 'genuine_pairs', 'images', 'impostor_pairs', 'ms_per_image', 'persons', 'threshold'].sort());
  assert.equal(out.threshold, DEFAULT_THRESHOLD);
  assert.equal(out.persons, 8);
  assert.equal(out.detected, 40);
  assert.ok(out.frr <= 0.02 && out.far <= 0.001, r.stdout);
  // the threshold comes from the box config when there is one
  const dir = await tempDir(t);
  await writeFile(join(dir, 'kefu.yaml'), 'plugins:\n  faceauth:\n    threshold: 0.9\n');
  const strict = JSON.parse((await kefu(['face', 'eval', '--dir', P, '--json', '--config', join(dir, 'kefu.yaml'), '--workers', '1'])).stdout);
  assert.equal(strict.threshold, 0.9);
  assert.ok(strict.frr > 0.5, 'a 0.9 threshold rejects most genuine pairs');
  const bad = await kefu(['face', 'eval', '--dir', join(dir, 'missing'), '--json']);
  assert.notEqual(bad.code, 0);
});

test('kefu face enroll / verify / delete on a data folder', async (t) => {
  const data = await tempDir(t);
  // a turned face is refused with its reason
  const tooFew = await kefu(['face', 'enroll', 'sheldon', `${P}/sheldon/sheldon1.png`, `${P}/sheldon/sheldon2.png`, `${P}/stuart/stuart5.png`, '--data', data, '--min-frames', '3']);
  assert.notEqual(tooFew.code, 0);
  assert.match(tooFew.stderr, /NOT_FRONTAL/);
  const enroll = await kefu(['face', 'enroll', 'sheldon', `${P}/sheldon/sheldon1.png`, `${P}/sheldon/sheldon2.png`, `${P}/sheldon/sheldon5.png`, '--data', data, '--json']);
  assert.equal(enroll.code, 0, enroll.stderr);
  assert.equal(JSON.parse(enroll.stdout).frames, 3);
  const same = await kefu(['face', 'verify', 'sheldon', `${P}/sheldon/sheldon3.png`, '--data', data, '--json']);
  assert.equal(same.code, 0);
  assert.equal(JSON.parse(same.stdout).match, true);
  const other = await kefu(['face', 'verify', 'sheldon', `${P}/penny/penny1.png`, '--data', data]);
  assert.equal(other.code, 1);
  assert.match(other.stdout, /NO MATCH/);
  const del = await kefu(['face', 'delete', 'sheldon', '--data', data, '--json']);
  assert.deepEqual(JSON.parse(del.stdout), { account: 'sheldon', deleted: true });
  const gone = await kefu(['face', 'verify', 'sheldon', `${P}/sheldon/sheldon3.png`, '--data', data]);
  assert.match(gone.stderr, /FACE_NOT_ENROLLED/);
  assert.deepEqual(JSON.parse((await kefu(['face', 'list', '--data', data, '--json'])).stdout), { accounts: [] });
  // while another process (the daemon) holds the store, the command says so instead of corrupting it
  const held = createRootStore(join(data, 'store'));
  await held.open();
  t.after(() => held.close());
  const busy = await kefu(['face', 'delete', 'sheldon', '--data', data]);
  assert.notEqual(busy.code, 0);
  assert.match(busy.stderr, /FACE_STORE_BUSY/);
});
