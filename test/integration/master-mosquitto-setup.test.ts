// Review s7 #13: the README recipe for an external Mosquitto, followed literally. `kefu master acl --mosquitto
// --owner mosquitto` writes files a Mosquitto that drops root to its own user can open, prints the mosquitto.conf
// lines it needs, and after `box add` + re-export + SIGHUP the new box connects without a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { kefuRun } from '../helpers/kefu-cli.js';
import { tempDir } from '../helpers/tmp.js';
import { freePort, MOSQUITTO } from '../sim/mosquitto.js';
import { waitFor } from './master-fixtures.js';

const NO_ENV = { KEFU_MASTER_URL: '', KEFU_MASTER_TOKEN: '', KEFU_MASTER_DATA: '', KEFU_MASTER_CONFIG: '', KEFU_MASTER_CA: '' };
const kefu = (args: string[]) => kefuRun(args, undefined, { env: NO_ENV });

const tryConnect = (port: number, user: string, password: string) => new Promise<boolean>((resolve) => {
  const c = mqtt.connect(`mqtt://127.0.0.1:${port}`, { clientId: user, username: user, password, reconnectPeriod: 0, connectTimeout: 5000 });
  c.once('connect', () => { c.end(true); resolve(true); });
  c.once('error', () => { c.end(true); resolve(false); });
  c.once('close', () => resolve(false));
});

test('acl --mosquitto --owner mosquitto: Mosquitto (dropping root) loads the files; after box add, re-export and SIGHUP the new box connects', { timeout: 120_000 }, async (t) => {
  assert.ok(existsSync(MOSQUITTO), `${MOSQUITTO} not found: install the Debian package 'mosquitto'`);
  assert.equal(process.getuid?.(), 0, 'this test runs Mosquitto as root so that it drops to its own user, as installed: run the tests as root');
  const dir = await tempDir(t, 'kefu-mosq-setup-');
  await chmod(dir, 0o755); // Mosquitto, once it is user mosquitto, must reach the files
  const data = join(dir, 'master');
  const aclFile = join(dir, 'kefu.acl');
  const pwFile = join(dir, 'kefu.passwd');
  const add = async (id: string) => {
    const r = await kefu(['--json', 'master', 'box', 'add', id, '--region', 'dandong', '--data', data]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout).password as string;
  };
  const p1 = await add('hall-01');
  const exported = await kefu(['--json', 'master', 'acl', '--mosquitto', '--data', data, '--acl-file', aclFile, '--password-file', pwFile, '--owner', 'mosquitto']);
  assert.equal(exported.code, 0, exported.stderr);
  const out = JSON.parse(exported.stdout);
  assert.equal((await stat(pwFile)).mode & 0o077, 0, 'the password file stays private');
  const mosquittoUid = Number(execFileSync('id', ['-u', 'mosquitto'], { encoding: 'utf8' }).trim());
  for (const f of [aclFile, pwFile]) assert.equal((await stat(f)).uid, mosquittoUid, `${f} belongs to mosquitto`);
  for (const line of ['allow_anonymous false', `password_file ${pwFile}`, `acl_file ${aclFile}`]) assert.ok(out.mosquittoConf.includes(line), line);

  // the printed mosquitto.conf lines, with a free loopback listener instead of the production ones
  const port = await freePort();
  const conf = out.mosquittoConf.split('\n').filter((l: string) => /^(per_listener_settings|allow_anonymous|password_file|acl_file)\b/.test(l));
  await writeFile(join(dir, 'mosquitto.conf'), [...conf, 'persistence false', 'log_dest stderr', `listener ${port} 127.0.0.1`, ''].join('\n'));
  const proc = spawn(MOSQUITTO, ['-c', join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr!.on('data', (b) => { log += b; });
  const exited = new Promise((r) => proc.once('exit', r));
  t.after(async () => { if (proc.exitCode === null) { proc.kill('SIGTERM'); await exited; } });
  await waitFor(async () => proc.exitCode !== null || (await tryConnect(port, 'hall-01', p1)), 15_000, `hall-01 connects (mosquitto: ${log})`);
  assert.equal(proc.exitCode, null, `mosquitto runs: ${log}`);

  const p2 = await add('hall-02');
  assert.equal(await tryConnect(port, 'hall-02', p2), false, 'not before the files are re-exported');
  const again = await kefu(['master', 'acl', '--mosquitto', '--data', data, '--acl-file', aclFile, '--password-file', pwFile, '--owner', 'mosquitto']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /run this command again, then make Mosquitto re-read the files: .*kill -HUP/);
  proc.kill('SIGHUP');
  await waitFor(() => tryConnect(port, 'hall-02', p2), 10_000, `hall-02 connects after SIGHUP (mosquitto: ${log})`);
});
