// Review s7 regressions for installing a master from its config file: `kefu master tls` makes the CA and the
// certificate, `kefu master run --config` serves mqtts and HTTPS with them, and every client command takes the
// same --config (data folder, URL, token, CA). A second master on the folder, a taken port and a missing
// certificate each fail in one line naming what to fix; SIGTERM is logged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { kefuRun, kefuSpawn } from '../helpers/kefu-cli.js';
import { tempDir } from '../helpers/tmp.js';
import { topics } from '../../protocol/topics.js';
import { birth, connectBox, startMaster, waitFor } from './master-fixtures.js';

type Ctx = { after(fn: () => unknown): void };
const NO_ENV = { KEFU_MASTER_URL: '', KEFU_MASTER_TOKEN: '', KEFU_MASTER_DATA: '', KEFU_MASTER_CONFIG: '', KEFU_MASTER_CA: '' };
const kefu = (args: string[], env: NodeJS.ProcessEnv = {}) => kefuRun(args, undefined, { env: { ...NO_ENV, ...env } });
const json = async (args: string[], env: NodeJS.ProcessEnv = {}) => {
  const r = await kefu(['--json', ...args], env);
  assert.equal(r.code, 0, `kefu ${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout);
};

/** `kefu master run --json --config file` in its own process: its URLs line, its log (stderr), its exit. */
async function runMaster(t: Ctx, config: string) {
  const { proc, exited, out } = kefuSpawn(t, ['--json', 'master', 'run', '--config', config], { ...NO_ENV, KEFU_LOG_LEVEL: 'info' });
  const line = await waitFor(() => (proc.exitCode !== null ? `exit ${proc.exitCode}` : out.stdout.includes('\n') ? out.stdout.split('\n')[0] : ''), 60_000, 'the URLs line');
  assert.ok(line.startsWith('{'), `master run: ${line} ${out.stderr.slice(-500)}`);
  return { proc, exited, urls: JSON.parse(line) as Record<string, string>, log: () => out.stderr };
}

test('kefu master tls + one master.yaml: mqtts and HTTPS with a private CA; box add, boxes and box list use --config (or KEFU_MASTER_CONFIG); SIGTERM is logged', { timeout: 240_000 }, async (t) => {
  const dir = await tempDir(t, 'kefu-master-cfg-');
  const tls = await json(['master', 'tls', '--host', 'localhost', '--dir', join(dir, 'tls')]);
  for (const f of [tls.caCert, tls.cert, tls.key]) await access(f);
  assert.equal(tls.config.http.tls.ca, join(dir, 'tls', 'ca.crt'));
  const human = await kefu(['master', 'tls', '--host', 'localhost', '--dir', join(dir, 'tls')]);
  assert.match(human.stdout, /master: \{ url: "mqtts:\/\/localhost:8883", caFile: /, 'says what the box config needs');
  assert.equal((await readFile(tls.caCert, 'utf8')), (await readFile(join(dir, 'tls', 'ca.crt'), 'utf8')), 'a second run keeps the CA');

  const cfg = join(dir, 'master.yaml');
  await writeFile(cfg, stringify({
    dataDir: join(dir, 'data'), publicHost: 'localhost',
    broker: {
      tcp: { host: '127.0.0.1', port: 0 }, tls: { host: '0.0.0.0', port: 0, cert: tls.cert, key: tls.key },
      ws: { host: '127.0.0.1', port: 0, path: '/mqtt', tls: { cert: tls.cert, key: tls.key } },
    },
    http: { host: '127.0.0.1', port: 0, tls: { cert: tls.cert, key: tls.key, ca: tls.caCert } },
  }));
  const m = await runMaster(t, cfg);
  assert.match(m.urls.mqtts, /^mqtts:\/\/localhost:\d+$/, 'a listener on all interfaces is printed with publicHost');
  assert.match(m.urls.http, /^https:\/\/127\.0\.0\.1:\d+$/);

  // box add --config writes where this master reads (not ./.kefu/master), and says so
  const added = await json(['master', 'box', 'add', 'hall-03', '--region', 'dandong', '--config', cfg]);
  assert.equal(added.dataDir, resolve(dir, 'data'));
  assert.equal(added.secretFile, join(dir, 'data', 'boxes', 'hall-03.secret'));
  assert.equal(added.note, undefined, 'a folder the master uses: no warning');
  const send = await kefu(['master', 'send', 'hall-03', 'system.info', '--config', cfg]);
  assert.match(send.stderr, /box hall-03 is offline \(never connected\).*\[BOX_OFFLINE\]/, 'known to the command API at once');
  // listed at once by the running master, over HTTPS trusted through the config's http.tls.ca
  const boxes = await json(['master', 'boxes', '--config', cfg]);
  assert.deepEqual(boxes.map((b: { id: string; online: boolean }) => [b.id, b.online]), [['hall-03', false]]);
  const listed = await json(['master', 'box', 'list'], { KEFU_MASTER_CONFIG: cfg });
  assert.deepEqual(listed.map((b: { id: string }) => b.id), ['hall-03']);
  // a folder no master uses is named, with what to do
  const stray = await json(['master', 'box', 'add', 'hall-09', '--region', 'dandong', '--data', join(dir, 'elsewhere')]);
  assert.match(stray.note, /no master has run on .*elsewhere.*--config/);

  // without the CA: a TLS problem, said as one; with --ca it works
  const token = join(dir, 'data', 'http.token');
  const noCa = await kefu(['master', 'boxes', '--url', m.urls.http, '--token-file', token]);
  assert.equal(noCa.code, 1);
  assert.match(noCa.stderr, /TLS\/certificate problem with the master at https:\/\/127\.0\.0\.1:\d+: .*--ca .*\[MASTER_TLS\]/);
  assert.equal(noCa.stderr.trim().split('\n').length, 1, noCa.stderr);
  assert.equal((await kefu(['master', 'boxes', '--url', m.urls.http, '--token-file', token, '--ca', tls.caCert])).code, 0);

  // a box trusts the same CA as master.caFile and connects over mqtts to the publicHost's certificate
  const port = Number(new URL(m.urls.mqtts).port);
  const ref = { region: 'dandong', box: 'hall-03' };
  const box = await connectBox(t, `mqtts://127.0.0.1:${port}`, ref, added.password, { ca: await readFile(tls.caCert), servername: 'localhost' });
  await box.publishAsync(topics.state(ref), JSON.stringify(birth()), { qos: 1, retain: true });
  await waitFor(async () => (await json(['master', 'boxes', '--config', cfg]))[0]?.online, 20_000, 'hall-03 online over mqtts');
  await box.endAsync();
  // MQTT over secure WebSocket with the same certificate
  assert.match(m.urls.ws, /^wss:\/\/127\.0\.0\.1:\d+\/mqtt$/);
  const wss = await connectBox(t, m.urls.ws, ref, added.password, { ca: await readFile(tls.caCert), servername: 'localhost', will: undefined });
  assert.equal(wss.connected, true);
  await wss.endAsync();

  m.proc.kill('SIGTERM');
  assert.equal(await m.exited, 0);
  assert.match(m.log(), /"signal":"SIGTERM".*"msg":"stopping"/);
  assert.match(m.log(), /"msg":"master stopped"/);
});

test('a second master on a data folder refuses (ALREADY_RUNNING); a taken port names its key (PORT_IN_USE); a missing certificate names its key (CONFIG_INVALID)', { timeout: 180_000 }, async (t) => {
  const dir = await tempDir(t, 'kefu-master-guard-');
  const cfg = join(dir, 'master.yaml');
  await writeFile(cfg, stringify({ dataDir: join(dir, 'data'), broker: { tcp: { host: '127.0.0.1', port: 0 } }, http: { host: '127.0.0.1', port: 0 } }));
  const first = await runMaster(t, cfg);

  const again = await kefu(['master', 'run', '--config', cfg]);
  assert.equal(again.code, 1);
  assert.equal(again.stderr.trim().split('\n').length, 1, again.stderr);
  assert.match(again.stderr, new RegExp(`a master is already running on data folder .*data \\(pid ${first.proc.pid}\\).*\\[ALREADY_RUNNING\\]`));
  await access(join(dir, 'data', 'master.json'));
  assert.deepEqual(await json(['master', 'boxes', '--config', cfg]), [], 'the first master still serves');

  // a master that holds the store without a pid file (in another process, as `kefu up`'s does) is found too, and
  // its master.json is left alone
  const inProcess = await startMaster(t);
  const locked = await kefu(['master', 'run', '--data', inProcess.config.dataDir, '--mqtt-port', '0', '--http-port', '0']);
  assert.equal(locked.code, 1);
  assert.equal(locked.stderr.trim().split('\n').length, 1, locked.stderr);
  assert.match(locked.stderr, /data folder .* is in use by another master .*\[DATA_DIR_IN_USE\]/);
  await access(join(inProcess.config.dataDir, 'master.json'));

  const mqttPort = Number(new URL(first.urls.mqtt).port);
  const busy = join(dir, 'busy.yaml');
  await writeFile(busy, stringify({ dataDir: join(dir, 'data2'), broker: { tcp: { host: '127.0.0.1', port: mqttPort } }, http: { host: '127.0.0.1', port: 0 } }));
  const taken = await kefu(['master', 'run', '--config', busy]);
  assert.equal(taken.code, 1);
  assert.equal(taken.stderr.trim().split('\n').length, 1, taken.stderr);
  assert.match(taken.stderr, new RegExp(`broker\\.tcp\\.port: 127\\.0\\.0\\.1:${mqttPort} is in use .*\\[PORT_IN_USE\\]`));
  const httpPort = Number(new URL(first.urls.http).port);
  const taken2 = await kefu(['master', 'run', '--config', busy, '--mqtt-port', '0', '--http-port', String(httpPort)]);
  assert.match(taken2.stderr, new RegExp(`http\\.port: 127\\.0\\.0\\.1:${httpPort} is in use .*\\[PORT_IN_USE\\]`));

  const noCert = join(dir, 'nocert.yaml');
  await writeFile(noCert, stringify({ dataDir: join(dir, 'data3'), broker: { tcp: { host: '127.0.0.1', port: 0 }, tls: { host: '127.0.0.1', port: 0, cert: join(dir, 'missing.crt'), key: join(dir, 'missing.key') } }, http: { host: '127.0.0.1', port: 0 } }));
  const missing = await kefu(['master', 'run', '--config', noCert]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /broker\.tls\.cert: cannot read .*missing\.crt \(ENOENT\)/);
  assert.match(missing.stderr, /broker\.tls\.key: cannot read .*missing\.key \(ENOENT\)/);
  assert.match(missing.stderr, /\[CONFIG_INVALID\]/);
  await assert.rejects(access(join(dir, 'data3', 'store')), 'nothing was started');
});

test('a listener on all interfaces without publicHost is flagged, so `kefu master run` says boxes use the machine\'s name', async (t) => {
  const fixtures = new URL('../fixtures/master/', import.meta.url).pathname;
  const m = await startMaster(t, { broker: { tcp: { host: '127.0.0.1', port: 0 }, tls: { host: '0.0.0.0', port: 0, cert: `${fixtures}broker.crt`, key: `${fixtures}broker.key` } } });
  assert.deepEqual([...m.allInterfaces], ['mqtts']);
  assert.match(m.urls.mqtts!, /^mqtts:\/\/127\.0\.0\.1:\d+$/, 'reachable from here, and flagged');
});
