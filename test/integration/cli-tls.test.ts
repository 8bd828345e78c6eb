// `kefu tls show|renew` (review s7, "box certificate renewal": only `kefu init --tls --force`, which rewrites the
// config): a renewed certificate comes from the same hall CA, keeps its names and adds new ones, leaves the config
// alone, and its key keeps the group and mode the installer gave it for the daemon's user.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { chmod, chown, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { kefuRun } from '../helpers/kefu-cli.js';
import { tempDir } from '../helpers/tmp.js';

test('kefu tls renew signs a new box certificate with the same CA, keeps names and key permissions; show reads it', { timeout: 120_000 }, async (t) => {
  const dir = await tempDir(t, 'kefu-tls-');
  const config = join(dir, 'kefu.yaml');
  const init = await kefuRun(['init', '-o', config, '--box', 'hall-01', '--region', 'dandong', '--master', 'mqtt://127.0.0.1:1883', '--data-dir', join(dir, 'data'), '--tls'], dir);
  assert.equal(init.code, 0, init.stderr);
  const tls = join(dir, 'tls');
  // what README tells the installer: the key readable by the daemon's group (here nogroup, gid 65534)
  await chown(join(tls, 'box.key'), 0, 65534);
  await chmod(join(tls, 'box.key'), 0o640);
  const [yamlBefore, caBefore, certBefore] = await Promise.all(['kefu.yaml', 'tls/ca.crt', 'tls/box.crt'].map((f) => readFile(join(dir, f), 'utf8')));

  const renew = await kefuRun(['--json', 'tls', 'renew', '-c', config, '--name', 'DNS:hall-01.lan', 'IP:10.9.8.7', '--days', '30'], dir);
  assert.equal(renew.code, 0, renew.stdout + renew.stderr);
  const out = JSON.parse(renew.stdout) as { before: { names: string[] }; after: { names: string[]; daysLeft: number } };
  assert.ok(out.after.daysLeft >= 28 && out.after.daysLeft <= 30, String(out.after.daysLeft));
  for (const n of [...out.before.names, 'DNS:hall-01.lan', 'IP:10.9.8.7']) assert.ok(out.after.names.includes(n), `${n} in ${out.after.names.join(', ')}`);

  const certAfter = await readFile(join(tls, 'box.crt'), 'utf8');
  assert.notEqual(certAfter, certBefore);
  const ca = new X509Certificate(caBefore);
  assert.equal(await readFile(join(tls, 'ca.crt'), 'utf8'), caBefore, 'the hall CA stays: terminals need not trust anything new');
  assert.ok(new X509Certificate(certAfter).verify(ca.publicKey), 'signed by the hall CA');
  assert.equal(await readFile(config, 'utf8'), yamlBefore, 'the config is untouched');
  const key = await stat(join(tls, 'box.key'));
  assert.deepEqual([key.gid, key.mode & 0o777], [65534, 0o640], 'the key keeps its group and mode');

  const show = await kefuRun(['--json', 'tls', 'show', '-c', config], dir);
  assert.equal(show.code, 0, show.stderr);
  assert.deepEqual((JSON.parse(show.stdout) as { names: string[] }).names, out.after.names);

  const bad = await kefuRun(['--json', 'tls', 'renew', '-c', config, '--name', 'hall-01.lan'], dir);
  assert.equal(bad.code, 1);
  assert.equal((JSON.parse(bad.stdout) as { error: { code: string } }).error.code, 'BAD_ARGUMENT');
});
