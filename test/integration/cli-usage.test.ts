// Regression tests for the CLI's usage errors and small outputs: one line with a code instead of the whole help,
// a JSON error object with --json, --version, and `master box add` printing an absolute secret path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { kefuRun } from '../helpers/kefu-cli.js';
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

test('a box command with no config anywhere says where it looked', { timeout: 60_000 }, async (t) => {
  const r = await kefu(['status'], await tempDir(t));
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^kefu: no box config found \(looked for \.\/kefu\.yaml, \/etc\/kefu\/kefu\.yaml, \.\/\.kefu\/box\.yaml\).*\[CONFIG_NOT_FOUND\]\n$/);
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
