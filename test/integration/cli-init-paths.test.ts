// Review s7 leftovers #1: `kefu init -o <somewhere>` wrote a config whose password file and data folder were still
// /etc/kefu/box.secret and /var/lib/kefu, so it only worked as root. Now they follow the config (box.secret and
// data/ beside it) unless flags say otherwise; /etc/kefu/kefu.yaml keeps the system layout. Shown by an unprivileged
// user (nobody) following the printed next steps: doctor's data folder, store and credentials lines pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { initDefaults, initOutFile } from '../../cli/commands/init.js';
import { KEFU } from '../helpers/kefu-up.js';
import { tempDir } from '../helpers/tmp.js';

const asNobody = (args: string[], input?: string) => {
  const r = spawnSync('runuser', ['-u', 'nobody', '--', '/usr/bin/env', 'HOME=/tmp', 'KEFU_CONFIG=', process.execPath, KEFU, ...args], { encoding: 'utf8', input, timeout: 90_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

test('the real box keeps /etc/kefu + /var/lib/kefu; anywhere else the defaults follow the config', () => {
  assert.deepEqual(initDefaults('/etc/kefu/kefu.yaml'), { passwordFile: '/etc/kefu/box.secret', dataDir: '/var/lib/kefu' });
  assert.deepEqual(initDefaults('/srv/hall/kefu.yaml'), { passwordFile: '/srv/hall/box.secret', dataDir: '/srv/hall/data' });
  assert.equal(initOutFile('/srv/hall/'), '/srv/hall/kefu.yaml');
  assert.equal(initOutFile('/srv/hall/box.yaml'), '/srv/hall/box.yaml');
});

test('kefu init -o <folder> as an unprivileged user: paths beside the config, next steps that work without root', { timeout: 180_000 }, async (t) => {
  assert.equal(process.getuid?.(), 0, 'this test runs kefu as user nobody (runuser): run the tests as root');
  const dir = await tempDir(t, 'kefu-init-paths-');
  await chmod(dir, 0o777); // nobody's own folder
  const folder = join(dir, 'hall');
  const init = asNobody(['--json', 'init', '-o', `${folder}/`, '--box', 'hall-01', '--region', 'dandong', '--master', 'mqtt://127.0.0.1:1', '--plugins', 'system', '-y']);
  assert.equal(init.code, 0, init.stderr);
  const file = join(folder, 'kefu.yaml');
  const written = parse(await readFile(file, 'utf8')) as { master: { passwordFile: string }; dataDir: string };
  assert.equal(written.master.passwordFile, join(folder, 'box.secret'));
  assert.equal(written.dataDir, join(folder, 'data'));
  assert.equal(JSON.parse(init.stdout).file, file);

  // the human next steps name the same paths; an explicit flag still wins
  const human = asNobody(['init', '-o', join(folder, 'other.yaml'), '--box', 'hall-01', '--region', 'dandong', '--master', 'mqtt://127.0.0.1:1', '--data-dir', join(dir, 'state'), '-y']);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, new RegExp(`data folder: ${join(dir, 'state')} `));
  assert.ok(human.stdout.includes(`(umask 077 && cat > ${join(folder, 'box.secret')})`), human.stdout);
  assert.ok(human.stdout.includes(`kefu doctor -c ${join(folder, 'other.yaml')}`), human.stdout);

  // follow them as nobody: write the password as printed, then doctor
  const secret = spawnSync('runuser', ['-u', 'nobody', '--', 'sh', '-c', `(umask 077 && cat > ${join(folder, 'box.secret')})`], { input: 'box-password\n' });
  assert.equal(secret.status, 0, String(secret.stderr));
  const doctor = asNobody(['--json', 'doctor', '-c', file]);
  const checks = (JSON.parse(doctor.stdout) as { checks: Array<{ name: string; ok: boolean; detail: string }> }).checks;
  for (const name of ['data folder', 'store', 'master credentials']) {
    const c = checks.find((x) => x.name === name);
    assert.ok(c?.ok, `${name}: ${JSON.stringify(c)}`);
  }
});
