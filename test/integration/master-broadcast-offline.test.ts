// Review s7 leftovers #4: `kefu master broadcast` lists every box it addressed. An offline box is in the result with
// BOX_OFFLINE (never connected, or last seen when), an online box that stays silent with COMMAND_TIMEOUT, and the
// human output says so; with no box online the command does not wait out its timeout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PROTOCOL_VERSION } from '../../protocol/schemas.js';
import { boxSubscriptions, parseTopic, topics, type BoxRef } from '../../protocol/topics.js';
import type { Master } from '../../master/index.js';
import { kefuRun } from '../helpers/kefu-cli.js';
import { birth, connectBox, lwt, startMaster, waitForBox } from './master-fixtures.js';

const NO_ENV = { KEFU_MASTER_URL: '', KEFU_MASTER_TOKEN: '', KEFU_MASTER_DATA: '', KEFU_MASTER_CONFIG: '', KEFU_MASTER_CA: '' };
const kefu = (args: string[]) => kefuRun(args, undefined, { env: NO_ENV });

/** a box that comes online and answers every command with its name, unless silent */
async function box(t: { after(fn: () => unknown): void }, m: Master, ref: BoxRef, silent = false) {
  const { password } = await m.credentials.addBox(ref.box, ref.region);
  const client = await connectBox(t, m.urls.mqtt!, ref, password);
  client.on('message', (topic, payload) => {
    const parsed = parseTopic(topic);
    if (parsed?.kind !== 'command' || silent) return;
    const { id } = JSON.parse(payload.toString()) as { id: string };
    void client.publishAsync(topics.result(ref, id), JSON.stringify({ v: PROTOCOL_VERSION, id, ok: true, result: parsed.name }), { qos: 1 });
  });
  await client.subscribeAsync(boxSubscriptions(ref), { qos: 1 });
  await client.publishAsync(topics.state(ref), JSON.stringify(birth()), { qos: 1, retain: true });
  await waitForBox(m, ref.box, (b) => b.online, `${ref.box} online`);
  return client;
}

test('broadcast: offline boxes are in the result with BOX_OFFLINE, silent ones with COMMAND_TIMEOUT', { timeout: 120_000 }, async (t) => {
  const m = await startMaster(t);
  await box(t, m, { region: 'dandong', box: 'hall-01' });
  await box(t, m, { region: 'dandong', box: 'hall-04' }, true);
  await m.credentials.addBox('hall-02', 'dandong'); // provisioned, never connected
  const gone = await box(t, m, { region: 'dandong', box: 'hall-03' });
  // it goes away as a stopping box does: its state says offline
  await gone.publishAsync(topics.state({ region: 'dandong', box: 'hall-03' }), JSON.stringify(lwt()), { qos: 1, retain: true });
  await gone.endAsync();
  await waitForBox(m, 'hall-03', (b) => !b.online, 'hall-03 offline');
  await m.credentials.addBox('sy-hall-01', 'shenyang');

  const data = m.config.dataDir;
  const r = await kefu(['--json', 'master', 'broadcast', 'system.ping', '--region', 'dandong', '--timeout', '3000', '--data', data]);
  assert.equal(r.code, 0, r.stderr);
  const res = JSON.parse(r.stdout) as { results: Array<{ box: string; ok: boolean; result?: unknown; error?: { code: string; message: string } }> };
  const by = new Map(res.results.map((x) => [x.box, x]));
  assert.deepEqual([...by.keys()].sort(), ['hall-01', 'hall-02', 'hall-03', 'hall-04'], 'every box of the region, none of another');
  assert.deepEqual(by.get('hall-01'), { box: 'hall-01', ok: true, result: 'system.ping' });
  assert.equal(by.get('hall-02')?.error?.code, 'BOX_OFFLINE');
  assert.match(by.get('hall-02')!.error!.message, /never connected/);
  assert.equal(by.get('hall-03')?.error?.code, 'BOX_OFFLINE');
  assert.match(by.get('hall-03')!.error!.message, /last seen \d{4}-/);
  assert.equal(by.get('hall-04')?.error?.code, 'COMMAND_TIMEOUT');

  const human = await kefu(['master', 'broadcast', 'system.ping', '--timeout', '3000', '--data', data]);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /^hall-02 +false +BOX_OFFLINE: box hall-02 is offline \(never connected\)$/m);
  assert.match(human.stdout, /^sy-hall-01 +false +BOX_OFFLINE: /m);
  assert.match(human.stdout, /^hall-04 +false +COMMAND_TIMEOUT: /m);
  assert.match(human.stdout, /^1 of 5 boxes ok, 3 offline, 1 did not answer$/m);

  // nobody online in the region: the answer comes at once, not after the timeout
  const started = Date.now();
  const none = await kefu(['--json', 'master', 'broadcast', 'system.ping', '--region', 'shenyang', '--timeout', '20000', '--data', data]);
  assert.equal(none.code, 0, none.stderr);
  assert.deepEqual(JSON.parse(none.stdout).results.map((x: { box: string; error?: { code: string } }) => [x.box, x.error?.code]), [['sy-hall-01', 'BOX_OFFLINE']]);
  assert.ok(Date.now() - started < 15_000, `answered in ${Date.now() - started} ms`);
});
