// Review s7 leftovers #3: `kefu master tls` run as root writes a 0600 key in a 0700 folder, which a master run as
// its own user (kefu-master) cannot open. `--owner user[:group]` hands the certificate and key over (a group reads
// the key, 0640), the CA key stays root's; without it, as root, the output says what to do. The reading user here
// is Mosquitto's (a system user every test machine has); kefu-master is the same case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { kefuRun } from '../helpers/kefu-cli.js';
import { tempDir } from '../helpers/tmp.js';

const USER = 'mosquitto';
const canRead = (user: string, file: string) => spawnSync('runuser', ['-u', user, '--', 'cat', file], { stdio: 'ignore' }).status === 0;
const idOf = (flag: string, name: string) => Number(spawnSync('id', [flag, name], { encoding: 'utf8' }).stdout.trim());

test('master tls --owner hands certificate and key to the service user; without it, as root, it says how', { timeout: 120_000 }, async (t) => {
  assert.equal(process.getuid?.(), 0, 'this test checks file owners: run the tests as root');
  assert.ok(idOf('-u', USER) > 0, `user ${USER} not found: install the Debian package 'mosquitto'`);
  const dir = await tempDir(t, 'kefu-master-tls-');
  await chmod(dir, 0o755); // as /etc is: the service user must reach the folder kefu master tls writes
  const uid = idOf('-u', USER);
  const gid = idOf('-g', USER);
  const tls = (sub: string, ...extra: string[]) => kefuRun(['--json', 'master', 'tls', '--host', 'localhost', '--dir', join(dir, sub), ...extra]);

  const plain = await tls('plain');
  assert.equal(plain.code, 0, plain.stderr);
  const p = JSON.parse(plain.stdout);
  assert.equal(canRead(USER, p.key), false, 'root\'s key is not readable by the service user');
  assert.match(p.note, /a master run as user kefu-master cannot read them; run this again with --owner root:kefu-master/);
  const human = await kefuRun(['master', 'tls', '--host', 'localhost', '--dir', join(dir, 'plain')]);
  assert.match(human.stdout, /note: .*--owner root:kefu-master/);

  const grouped = await tls('grouped', '--owner', `root:${USER}`);
  assert.equal(grouped.code, 0, grouped.stderr);
  const g = JSON.parse(grouped.stdout);
  assert.equal(g.note, undefined);
  const key = await stat(g.key);
  assert.deepEqual([key.uid, key.gid, key.mode & 0o777], [0, gid, 0o640]);
  const folder = await stat(g.dir);
  assert.deepEqual([folder.gid, folder.mode & 0o777], [gid, 0o750]);
  for (const f of [g.key, g.cert, g.caCert]) assert.ok(canRead(USER, f), `${USER} reads ${f}`);
  assert.equal(canRead(USER, g.caKey), false, 'the CA key stays root\'s');
  assert.deepEqual([(await stat(g.caKey)).uid, (await stat(g.caKey)).mode & 0o777], [0, 0o600]);

  const owned = await tls('owned', '--owner', USER);
  assert.equal(owned.code, 0, owned.stderr);
  const o = JSON.parse(owned.stdout);
  const okey = await stat(o.key);
  assert.deepEqual([okey.uid, okey.mode & 0o777], [uid, 0o600]);
  assert.ok(canRead(USER, o.key) && canRead(USER, o.cert), `${USER} reads its key and certificate`);
  assert.equal(canRead(USER, o.caKey), false);

  const bad = await kefuRun(['master', 'tls', '--host', 'localhost', '--dir', join(dir, 'bad'), '--owner', 'no-such-user-kefu']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /chown no-such-user-kefu failed: .*\[CHOWN_FAILED\]/);
});
