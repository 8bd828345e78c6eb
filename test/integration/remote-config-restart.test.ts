// Review s7 leftovers #5: the master's desired config (`cfg`, today a link order) survives a box restart. The
// retained cfg is handled once; what the box accepted is kept and applied again at start, validated again: one the
// box can no longer take (a link it named is gone from kefu.yaml) is logged with its code, skipped, reported to the
// master as not applied, and the box starts on its local order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { KEFU_BIN, startDaemon, writeBoxConfig, type DaemonProcess } from '../helpers/daemon-process.js';
import { controlRequest } from '../../daemon/control/client.js';
import { tempDir } from '../helpers/tmp.js';
import { startMaster, waitFor, waitForBox } from './master-fixtures.js';

type Links = { order: string[] };

test('a remote link order is in force again after a restart; a now-invalid one is skipped with its code, not fatal', { timeout: 180_000 }, async (t) => {
  const m = await startMaster(t);
  const { password } = await m.credentials.addBox('hall-01', 'dandong');
  const dir = await tempDir(t, 'kefu-cfg-restart-');
  const links = [{ id: 'eth', kind: 'wired', localAddress: '127.0.0.1' }, { id: 'eth2', kind: 'wired', localAddress: '127.0.0.1' }];
  const config = (transports: unknown[]) => writeBoxConfig(dir, { box: 'hall-01', region: 'dandong', url: m.urls.mqtt!, password, extra: { transports } });
  let daemon: DaemonProcess | null = null;
  t.after(async () => { await daemon?.kill9(); });
  const start = async () => ({ d: (daemon = await startDaemon(await config(links), join(dir, 'data'))) });
  const order = async (d: DaemonProcess) => (await d.control<Links>('transports.status')).order;
  const same = (a: string[], b: string[]) => a.join() === b.join();

  let run = await start();
  await waitForBox(m, 'hall-01', (b) => b.online, 'box online', 30_000);
  assert.deepEqual(await order(run.d), ['eth', 'eth2'], 'the local order first');
  const set = await m.desiredConfig.set('hall-01', { failover: { order: ['eth2', 'eth'] } }, { waitMs: 30_000 });
  assert.equal(set.reported?.applied, true);
  assert.deepEqual(await order(run.d), ['eth2', 'eth']);

  // restart: the order is in force again, with no new cfg from the master (its retained one was handled before)
  assert.equal(await run.d.stop(), 0);
  run = await start();
  // the control socket answers a moment before the daemon has restored it: give it a few seconds, not forever
  const after = await waitFor(async () => { const o = await order(run.d); return same(o, ['eth2', 'eth']) ? o : undefined; }, 5000, 'the remote order after the restart').catch(() => order(run.d));
  assert.deepEqual(after, ['eth2', 'eth'], 'the remote order survived the restart');
  await waitForBox(m, 'hall-01', (b) => b.online, 'box online again', 30_000);
  assert.equal(m.registry.get('hall-01')?.cfgReported?.applied, true);

  // eth2 removed from kefu.yaml: the stored order names a link the box no longer has
  assert.equal(await run.d.stop(), 0);
  await waitForBox(m, 'hall-01', (b) => !b.online, 'box offline', 30_000);
  // its own process here, to read its log from the first line
  const child = spawn(process.execPath, [KEFU_BIN, 'start', '-c', await config(links.slice(0, 1))], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, KEFU_LOG_LEVEL: 'info' } });
  const exited = new Promise((r) => child.once('exit', r));
  t.after(async () => { if (child.exitCode === null) { child.kill('SIGKILL'); await exited; } });
  let out = '';
  child.stderr!.on('data', (b) => { out += b; });
  await waitFor(async () => child.exitCode !== null || (await controlRequest<Links>(join(dir, 'data'), 'transports.status', undefined, 2000).catch(() => null)), 30_000, 'the daemon answers');
  assert.equal(child.exitCode, null, `the daemon runs: ${out.slice(-1000)}`);
  assert.deepEqual((await controlRequest<Links>(join(dir, 'data'), 'transports.status', undefined, 5000)).order, ['eth'], 'the local order, and the box runs');
  await waitForBox(m, 'hall-01', (b) => b.online, 'box online on its local order', 30_000);
  const reported = await waitFor(() => { const r = m.registry.get('hall-01')?.cfgReported; return r && !r.applied ? r : undefined; }, 30_000, 'cfg/reported applied:false');
  assert.equal(reported.version, set.version);
  assert.equal(reported.error?.code, 'CFG_INVALID');
  await waitFor(() => out.includes('no longer applies'), 10_000, 'the warning in the log');
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
  const line = JSON.parse(out.split('\n').find((l) => l.includes('no longer applies'))!) as { level: number; code: string; version: number };
  assert.deepEqual([line.level, line.code, line.version], [40, 'CFG_INVALID', set.version]);
});
