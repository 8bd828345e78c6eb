// Review s7 leftovers #2: the mosquitto.conf lines `kefu master acl --mosquitto` prints name the certificate and
// key `kefu master tls` writes (master.crt/master.key in its folder, or the config's broker.tls), not files that
// exist nowhere; a real Mosquitto (dropping root to its user) serves TLS with them and a box connects over mqtts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { stringify } from 'yaml';
import { MASTER_TLS_DIR } from '../../cli/master/tls.js';
import { kefuRun } from '../helpers/kefu-cli.js';
import { tempDir } from '../helpers/tmp.js';
import { freePort, MOSQUITTO } from '../sim/mosquitto.js';
import { waitFor } from './master-fixtures.js';

const NO_ENV = { KEFU_MASTER_URL: '', KEFU_MASTER_TOKEN: '', KEFU_MASTER_DATA: '', KEFU_MASTER_CONFIG: '', KEFU_MASTER_CA: '' };
const kefu = (args: string[]) => kefuRun(args, undefined, { env: NO_ENV });
const confLine = (conf: string, key: string) => conf.split('\n').find((l) => l.startsWith(`${key} `))?.slice(key.length + 1);

test('acl --mosquitto names the certificate kefu master tls wrote; Mosquitto serves mqtts with it', { timeout: 120_000 }, async (t) => {
  assert.ok(existsSync(MOSQUITTO), `${MOSQUITTO} not found: install the Debian package 'mosquitto'`);
  assert.equal(process.getuid?.(), 0, 'Mosquitto runs as root here so that it drops to its own user, as installed: run the tests as root');
  const dir = await tempDir(t, 'kefu-mosq-tls-');
  await chmod(dir, 0o755);
  const data = join(dir, 'master');
  const tlsDir = join(dir, 'tls');
  const added = await kefu(['--json', 'master', 'box', 'add', 'hall-01', '--region', 'dandong', '--data', data]);
  assert.equal(added.code, 0, added.stderr);
  const password = JSON.parse(added.stdout).password as string;
  const made = await kefu(['--json', 'master', 'tls', '--host', 'localhost', '--dir', tlsDir, '--owner', 'mosquitto']);
  assert.equal(made.code, 0, made.stderr);
  const tls = JSON.parse(made.stdout) as { cert: string; key: string; caCert: string; config: Record<string, unknown> };

  const files = ['--acl-file', join(dir, 'kefu.acl'), '--password-file', join(dir, 'kefu.passwd'), '--owner', 'mosquitto'];
  const exported = await kefu(['--json', 'master', 'acl', '--mosquitto', '--data', data, '--tls-dir', tlsDir, ...files]);
  assert.equal(exported.code, 0, exported.stderr);
  const conf = JSON.parse(exported.stdout).mosquittoConf as string;
  assert.equal(confLine(conf, 'certfile'), tls.cert);
  assert.equal(confLine(conf, 'keyfile'), tls.key);
  for (const f of [confLine(conf, 'certfile')!, confLine(conf, 'keyfile')!]) assert.ok(existsSync(f), `${f} exists`);

  // the same files from a master config that uses what `kefu master tls` printed; with neither, its default folder
  const masterYaml = join(dir, 'master.yaml');
  await writeFile(masterYaml, stringify({ dataDir: data, ...tls.config }));
  const fromConfig = await kefu(['--json', 'master', 'acl', '--mosquitto', '--config', masterYaml]);
  assert.equal(fromConfig.code, 0, fromConfig.stderr);
  assert.equal(confLine(JSON.parse(fromConfig.stdout).mosquittoConf, 'certfile'), tls.cert);
  const byDefault = await kefu(['master', 'acl', '--mosquitto', '--data', data, '--acl-file', join(dir, 'other.acl')]);
  assert.equal(byDefault.code, 0, byDefault.stderr);
  assert.ok(byDefault.stdout.includes(`certfile ${MASTER_TLS_DIR}/master.crt`), byDefault.stdout);
  if (!existsSync(`${MASTER_TLS_DIR}/master.crt`)) assert.match(byDefault.stdout, /master\.crt and .*master\.key not found: make them with `kefu master tls --host <publicHost> --dir /);

  // a real Mosquitto with the printed lines: its TLS listener (on a free loopback port) and the box over mqtts
  const port = await freePort();
  const keep = conf.split('\n').filter((l) => /^(per_listener_settings|allow_anonymous|password_file|acl_file)\b/.test(l));
  await writeFile(join(dir, 'mosquitto.conf'), [...keep, 'persistence false', 'log_dest stderr', `listener ${port} 127.0.0.1`,
    `certfile ${confLine(conf, 'certfile')}`, `keyfile ${confLine(conf, 'keyfile')}`, ''].join('\n'));
  const proc = spawn(MOSQUITTO, ['-c', join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr!.on('data', (b) => { log += b; });
  const exited = new Promise((r) => proc.once('exit', r));
  t.after(async () => { if (proc.exitCode === null) { proc.kill('SIGTERM'); await exited; } });
  const ca = await readFile(tls.caCert);
  const connects = () => new Promise<boolean>((resolve) => {
    const c = mqtt.connect(`mqtts://localhost:${port}`, { clientId: 'hall-01', username: 'hall-01', password, ca, reconnectPeriod: 0, connectTimeout: 5000 });
    c.once('connect', () => { c.end(true); resolve(true); });
    c.once('error', () => { c.end(true); resolve(false); });
    c.once('close', () => resolve(false));
  });
  await waitFor(async () => proc.exitCode !== null || (await connects()), 15_000, `hall-01 connects over mqtts (mosquitto: ${log})`);
  assert.equal(proc.exitCode, null, `mosquitto runs: ${log}`);
});
