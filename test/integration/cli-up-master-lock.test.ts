// Review s7 leftovers #6: `kefu up`'s embedded master takes the same single-instance guard as `kefu master run`
// (`<data>/master/kefu.pid`). A `kefu master run` on `<data>/master` makes `kefu up --data <data>` refuse with the
// master's ALREADY_RUNNING line before it opens anything, and the running master carries on untouched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { kefuRun, kefuSpawn } from '../helpers/kefu-cli.js';
import { tempDir } from '../helpers/tmp.js';
import { waitFor } from './master-fixtures.js';

const NO_ENV = { KEFU_MASTER_URL: '', KEFU_MASTER_TOKEN: '', KEFU_MASTER_DATA: '', KEFU_MASTER_CONFIG: '', KEFU_MASTER_CA: '' };

test('kefu up refuses a data folder whose master folder a kefu master run holds (ALREADY_RUNNING), leaving it running', { timeout: 180_000 }, async (t) => {
  const data = await tempDir(t, 'kefu-up-lock-');
  const masterDir = join(data, 'master');
  const { proc, exited, out } = kefuSpawn(t, ['--json', 'master', 'run', '--data', masterDir, '--mqtt-port', '0', '--http-port', '0'], NO_ENV);
  await waitFor(() => proc.exitCode !== null || out.stdout.includes('\n'), 60_000, 'the master\'s URLs line');
  assert.equal(proc.exitCode, null, `master run: ${out.stdout} ${out.stderr.slice(-500)}`);

  const up = await kefuRun(['up', '--data', data, '--mqtt-port', '0', '--master-http-port', '0', '--http-port', '0'], undefined, { env: NO_ENV });
  assert.equal(up.code, 1, up.stdout);
  assert.equal(up.stderr.trim().split('\n').length, 1, up.stderr);
  assert.match(up.stderr, new RegExp(`a master is already running on data folder .*master \\(pid ${proc.pid}\\); stop it first, or use kefu up --data .*\\[ALREADY_RUNNING\\]`));
  // nothing of the refused `kefu up` is left, and the master was not disturbed
  assert.equal(existsSync(join(data, 'kefu.pid')), false, 'kefu up released its own lock');
  assert.equal(existsSync(join(data, 'box')), false, 'the box folder was never made');
  await access(join(masterDir, 'master.json'));
  assert.equal(proc.exitCode, null);
  const boxes = await kefuRun(['--json', 'master', 'boxes', '--data', masterDir], undefined, { env: NO_ENV });
  assert.equal(boxes.code, 0, boxes.stderr);
  assert.deepEqual(JSON.parse(boxes.stdout), [], 'the master still serves, and kefu up provisioned no box in it');

  proc.kill('SIGTERM');
  assert.equal(await exited, 0, out.stderr.slice(-500));
});
