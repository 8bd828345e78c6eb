// Regression tests for the CLI's usage errors and small outputs: one line with a code instead of the whole help,
// a JSON error object with --json, --version, and `master box add` printing an absolute secret path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdir, readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { controlSocketPath } from '../../daemon/control/protocol.js';
import { createControlServer } from '../../daemon/control/server.js';
import { silentLogger } from '../../daemon/logger.js';
import { writeBoxConfig } from '../helpers/daemon-process.js';
import { kefuRun } from '../helpers/kefu-cli.js';
import { KEFU } from '../helpers/kefu-up.js';
import { tempDir } from '../helpers/tmp.js';

const kefu = kefuRun;

test('usage errors are one line with a code; --json gives an error object; --version prints the version', { timeout: 120_000 }, async () => {
  const unknown = await kefu(['frobnicate']);
  assert.equal(unknown.code, 1);
  assert.equal(unknown.stderr, "kefu: unknown command 'frobnicate' (see kefu --help) [UNKNOWN_CLI_COMMAND]\n");
  assert.equal(unknown.stdout, '');

  const json = await kefu(['--json', 'frobnicate']);
  assert.equal(json.code, 1);
  assert.deepEqual(JSON.parse(json.stdout), { ok: false, error: { code: 'UNKNOWN_CLI_COMMAND', message: "unknown command 'frobnicate' (see kefu --help)" } });
  assert.equal(json.stderr, '', 'with --json the error is only the JSON on stdout');

  const missing = await kefu(['face', 'eval']);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, "kefu: required option '--dir <folder>' not specified (see kefu face eval --help) [MISSING_OPTION]\n");

  const option = await kefu(['status', '--bogus']);
  assert.match(option.stderr, /^kefu: unknown option '--bogus' .*\[UNKNOWN_OPTION\]\n$/);

  const version = await kefu(['--version']);
  assert.equal(version.code, 0);
  const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  assert.equal(version.stdout.trim(), pkg.version);

  const help = await kefu(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Commands:/);
});

test('a box command with no config anywhere says where it looked; with --json only the JSON, same exit code', { timeout: 60_000 }, async (t) => {
  const cwd = await tempDir(t);
  const [r, j] = await Promise.all([kefu(['status'], cwd), kefu(['status', '--json'], cwd)]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^kefu: no box config found \(looked for \.\/kefu\.yaml, \/etc\/kefu\/kefu\.yaml, \.\/\.kefu\/box\.yaml\).*\[CONFIG_NOT_FOUND\]\n$/);
  assert.equal(j.code, 1);
  assert.equal(j.stderr, '');
  assert.equal((JSON.parse(j.stdout) as { error: { code: string } }).error.code, 'CONFIG_NOT_FOUND');
});

test('master box add prints the secret file as an absolute path', { timeout: 60_000 }, async (t) => {
  const cwd = await tempDir(t);
  const r = await kefu(['--json', 'master', 'box', 'add', 'hall-09', '--region', 'demo', '--data', 'm'], cwd);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { secretFile: string };
  assert.ok(isAbsolute(out.secretFile), out.secretFile);
  assert.equal(out.secretFile, join(cwd, 'm', 'boxes', 'hall-09.secret'));
  const human = await kefu(['master', 'box', 'add', 'hall-10', '--region', 'demo', '--data', 'm'], cwd);
  assert.match(human.stdout, new RegExp(`password file: ${join(cwd, 'm', 'boxes', 'hall-10.secret')}\n`));
});

test('a user who may not open the daemon socket is told to use root or the daemon user (the systemd unit runs as kefu)', { timeout: 60_000 }, async (t) => {
  assert.equal(process.getuid?.(), 0, 'this test runs as root: it drops to nobody with setpriv (util-linux)');
  const dir = await tempDir(t);
  await chmod(dir, 0o755);
  const data = join(dir, 'data');
  await mkdir(data, { mode: 0o755 });
  const file = await writeBoxConfig(dir, { box: 'hall-01', region: 'r', url: 'mqtt://127.0.0.1:1', password: 'x' });
  await chmod(file, 0o644);
  const control = createControlServer({ path: controlSocketPath(data), log: silentLogger() });
  control.handle('status', () => ({}));
  await control.start();
  t.after(() => control.stop());
  const env = { ...process.env };
  delete env.KEFU_CONFIG;
  const r = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
    execFile('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, KEFU, '--json', 'status', '-c', file], { env, timeout: 60_000 },
      (err, stdout) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout }));
  });
  assert.equal(r.code, 1, r.stdout);
  const { error } = JSON.parse(r.stdout) as { error: { code: string; message: string } };
  assert.equal(error.code, 'CONTROL_DENIED');
  assert.match(error.message, /run kefu as root or as the daemon's user .*runuser -u kefu/);
});
