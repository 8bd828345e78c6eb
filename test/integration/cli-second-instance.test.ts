// Regression tests for the new-user walkthrough: a second `kefu up` / `kefu start` on a folder in use refuses
// with one line and a code and leaves the running instance usable; box commands find ./.kefu/box.yaml; `kefu up`
// prints human labels, a signed-in dashboard link and the demo face accounts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { startKefuUp } from '../helpers/kefu-up.js';
import { kefuRun } from '../helpers/kefu-cli.js';
import { tempDir } from '../helpers/tmp.js';

const kefu = kefuRun;

test('a second kefu up / kefu start on a folder in use refuses and the running one stays usable', { timeout: 180_000 }, async (t) => {
  const { proc, data, urls } = await startKefuUp(t);
  const master = join(data, 'master');

  const again = await kefu(['up', '--data', data, '--mqtt-port', '0', '--master-http-port', '0', '--http-port', '0']);
  assert.equal(again.code, 1);
  assert.equal(again.stderr.trim().split('\n').length, 1, again.stderr);
  assert.match(again.stderr, new RegExp(`kefu up is already running in .*kefu \\(pid ${proc.pid}\\).*--data.*\\[ALREADY_RUNNING\\]`));
  await access(join(master, 'master.json'));
  // its embedded master holds <data>/master as `kefu master run` does: the same refusal, naming kefu up's pid
  const masterRun = await kefu(['master', 'run', '--data', master, '--mqtt-port', '0', '--http-port', '0']);
  assert.equal(masterRun.code, 1);
  assert.match(masterRun.stderr, new RegExp(`a master is already running on data folder .*master \\(pid ${proc.pid}\\).*\\[ALREADY_RUNNING\\]`));
  const boxes = await kefu(['master', 'boxes', '--json', '--data', master]);
  assert.equal(boxes.code, 0, boxes.stderr);
  assert.ok(JSON.parse(boxes.stdout).some((b: { id: string }) => b.id === 'hall-01'));

  const start = await kefu(['start', '-c', join(data, 'box.yaml')]);
  assert.equal(start.code, 1);
  assert.equal(start.stderr.trim().split('\n').length, 1, start.stderr);
  assert.match(start.stderr, new RegExp(`data folder .*box is in use by the running daemon \\(pid ${proc.pid}\\).*\\[DATA_DIR_IN_USE\\]`));

  // `kefu status` with no -c finds ./.kefu/box.yaml, as `kefu master` finds ./.kefu/master
  const cwd = await tempDir(t);
  await symlink(data, join(cwd, '.kefu'));
  const status = await kefu(['status', '--json'], cwd);
  assert.equal(status.code, 0, status.stderr);
  assert.equal(JSON.parse(status.stdout).box.id, 'hall-01');
  // `kefu face list` uses the same discovery, and while the daemon holds the store it asks the daemon
  const faces = await kefu(['face', 'list', '--json'], cwd);
  assert.equal(faces.code, 0, faces.stderr);
  assert.ok(Array.isArray(JSON.parse(faces.stdout).accounts), faces.stdout);
  const nowhere = await kefu(['face', 'list'], await tempDir(t));
  assert.equal(nowhere.code, 1, 'no config and no --data: no silent empty list');
  assert.match(nowhere.stderr, /CONFIG_INVALID/);

  // what `kefu up` printed: labels, not i18n keys; the dashboard link signs in; the demo face accounts' ID numbers
  const out = urls as unknown as { master: { dashboardLink: string; tokenFile: string }; box: { apps: Array<{ key: string; label: string }> }; demoFaceAccounts: Array<{ account: string; idNumber: string }> };
  assert.ok(out.box.apps.length >= 4);
  for (const a of out.box.apps) assert.doesNotMatch(a.label, /^app\./);
  assert.ok(out.box.apps.some((a) => a.label === 'Face enrollment'));
  const token = (await readFile(out.master.tokenFile, 'utf8')).trim();
  assert.ok(out.master.dashboardLink.endsWith(`#token=${token}`), out.master.dashboardLink);
  assert.deepEqual(out.demoFaceAccounts.map((f) => f.account), ['demo01', 'demo02']);
  assert.match(out.demoFaceAccounts[0].idNumber, /^\d{17}[\dX]$/);
});
