// Regression test: `kefu plugins` exited 0 with the daemon down (a script could not tell). Now it still lists the
// configured plugins, says the daemon is not running the way `kefu status` does, and exits non-zero; --json
// carries `running`. With a real daemon it answers from it and exits 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pluginNames } from '../../daemon/builtins.js';
import { startBroker } from '../helpers/aedes-broker.js';
import { closeAfter } from '../helpers/cleanup.js';
import { startDaemon, writeBoxConfig } from '../helpers/daemon-process.js';
import { kefuRun } from '../helpers/kefu-cli.js';
import { tempDir } from '../helpers/tmp.js';

interface PluginsJson { ok?: boolean; running: boolean | null; plugins: Array<{ name: string; enabled: boolean; status: string | null }>; error?: { code: string } }

test('kefu plugins: daemon down → the configured plugins, the status error line, non-zero exit; daemon up → its states, exit 0', { timeout: 120_000 }, async (t) => {
  const broker = await startBroker();
  closeAfter(t, 'broker', () => broker.stop());
  const dir = await tempDir(t);
  const cfg = await writeBoxConfig(dir, { box: 'hall-01', region: 'demo', url: `mqtt://127.0.0.1:${broker.port}`, password: 'secret-1', extra: { plugins: { system: {} } } });

  const status = await kefuRun(['status', '-c', cfg]);
  assert.equal(status.code, 1);
  assert.match(status.stderr, /^kefu: the daemon is not running: .*kefu start.*\[DAEMON_NOT_RUNNING\]\n$/);

  const human = await kefuRun(['plugins', '-c', cfg]);
  assert.equal(human.code, 1, 'a script can tell');
  assert.equal(human.stderr, status.stderr, 'the same line as kefu status');
  for (const name of pluginNames) assert.match(human.stdout, new RegExp(`^${name} +${name === 'system'}\\b`, 'm'), human.stdout);

  const json = await kefuRun(['--json', 'plugins', '-c', cfg]);
  assert.equal(json.code, 1);
  const down = JSON.parse(json.stdout) as PluginsJson;
  assert.deepEqual([down.ok, down.running, down.error?.code], [false, false, 'DAEMON_NOT_RUNNING']);
  assert.deepEqual(down.plugins.map((p) => [p.name, p.enabled, p.status]), pluginNames.map((n) => [n, n === 'system', null]));

  const daemon = await startDaemon(cfg, join(dir, 'data'));
  closeAfter(t, 'daemon', () => daemon.stop());
  const up = await kefuRun(['--json', 'plugins', '-c', cfg]);
  assert.equal(up.code, 0, up.stderr);
  const state = JSON.parse(up.stdout) as PluginsJson;
  assert.equal(state.running, true);
  assert.deepEqual(state.plugins.find((p) => p.name === 'system')?.status, 'running');
  assert.ok(state.plugins.filter((p) => p.name !== 'system').every((p) => p.status === 'disabled'), up.stdout);
  const upHuman = await kefuRun(['plugins', '-c', cfg]);
  assert.deepEqual([upHuman.code, upHuman.stderr], [0, '']);
  assert.match(upHuman.stdout, /^system +true +running\b/m);
});
