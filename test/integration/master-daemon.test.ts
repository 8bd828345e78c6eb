// The real box daemon (`kefu init` + `kefu start`) against the master with its embedded broker: the box gets
// its credential from provisionBox, comes online (with its link-probe sessions allowed), answers a command,
// and goes offline when it stops.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tempDir } from '../helpers/tmp.js';
import { startMaster, waitFor, waitForBox } from './master-fixtures.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test('a real box daemon provisioned by the master comes online, answers system.info, and goes offline on stop', async (t) => {
  const m = await startMaster(t);
  const cred = await m.provisionBox('hall-01', 'dandong');
  const dir = await tempDir(t, 'kefu-box-');
  await run(process.execPath, [`${ROOT}cli/bin.js`, 'init', '-o', `${dir}/box.yaml`, '--box', 'hall-01', '--region', 'dandong', '--master', cred.url!,
    '--password-file', cred.passwordFile, '--data-dir', `${dir}/data`, '--http-port', '0'], { timeout: 60_000 });
  const daemon = spawn(process.execPath, [`${ROOT}cli/bin.js`, 'start', '-c', `${dir}/box.yaml`], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, KEFU_LOG_LEVEL: 'warn' } });
  let stderr = '';
  daemon.stderr!.on('data', (b) => { stderr += b; });
  const exited = new Promise((r) => daemon.once('exit', r));
  t.after(async () => { if (daemon.exitCode === null) { daemon.kill('SIGKILL'); await exited; } });

  const online = await waitForBox(m, 'hall-01', (b) => b.online, `daemon online (stderr: ${stderr.slice(-300)})`, 30_000);
  assert.equal(online.transport?.kind, 'wired');
  assert.equal(m.stats().broker!.authFailures, 0, 'the daemon and its probe sessions are accepted');
  const res = await m.commands.send('hall-01', 'system.info', {}, { timeoutMs: 10_000 });
  assert.equal((res.result as { version: string }).version, online.version);
  await waitFor(() => m.stats().ingest.telemetry > 0, 15_000, 'telemetry from the daemon');
  // desired config: the daemon applies it, confirms the link and reports the version back
  const cfg = await m.desiredConfig.set('hall-01', { failover: { order: ['wired'] } }, { waitMs: 30_000 });
  assert.equal(cfg.reported?.applied, true);
  assert.equal(m.registry.get('hall-01')?.cfgReported?.version, cfg.version);
  const bad = await m.desiredConfig.set('hall-01', { failover: { order: 42 } }, { waitMs: 30_000 });
  assert.equal(bad.reported?.applied, false, 'an invalid config is refused and reported');
  daemon.kill('SIGTERM');
  await exited;
  await waitForBox(m, 'hall-01', (b) => !b.online, 'offline after stop');
  assert.deepEqual(m.stats().ingest.rejected, {}, 'everything the daemon sent validated');
});

test('kefu master run starts from a YAML config, prints its URLs, serves the CLI, and stops cleanly on SIGTERM', async (t) => {
  const dir = await tempDir(t, 'kefu-master-run-');
  const { writeFile, access } = await import('node:fs/promises');
  await writeFile(`${dir}/master.yaml`, [
    `dataDir: ${dir}/data`,
    'broker:',
    '  tcp: { host: 127.0.0.1, port: 0 }',
    '  ws: { host: 127.0.0.1, port: 0 }',
    'http: { host: 127.0.0.1, port: 0 }',
  ].join('\n'));
  const proc = spawn(process.execPath, [`${ROOT}cli/bin.js`, '--json', 'master', 'run', '--config', `${dir}/master.yaml`], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KEFU_LOG_LEVEL: 'warn' } });
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  t.after(async () => { if (proc.exitCode === null) { proc.kill('SIGKILL'); await exited; } });
  let stdout = '';
  proc.stdout!.on('data', (b) => { stdout += b; });
  const line = await waitFor(() => (stdout.split('\n')[0].endsWith('}') ? stdout.split('\n')[0] : ''), 30_000, 'the URLs line');
  const urls = JSON.parse(line);
  assert.match(urls.mqtt, /^mqtt:\/\/127\.0\.0\.1:\d+$/);
  assert.match(urls.ws, /^ws:\/\/127\.0\.0\.1:\d+\/mqtt$/);
  const boxes = JSON.parse((await run(process.execPath, [`${ROOT}cli/bin.js`, '--json', 'master', 'boxes', '--data', `${dir}/data`], { timeout: 60_000 })).stdout);
  assert.deepEqual(boxes, []);
  proc.kill('SIGTERM');
  assert.equal(await exited, 0);
  await assert.rejects(access(`${dir}/data/master.json`), 'the runtime file is removed on stop');
});
