// Review s7 regressions on the fleet side: `kefu master box rotate` (new password, old one refused, running
// session closed), a command to an offline box (BOX_OFFLINE at once, HTTP 409; with wait it runs when the box is
// back), and an offline box shown without its stale link quality.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { kefuRun } from '../helpers/kefu-cli.js';
import { boxSubscriptions, topics } from '../../protocol/topics.js';
import { PROTOCOL_VERSION } from '../../protocol/schemas.js';
import type { MqttClient } from 'mqtt';
import { birth, closedWithin, connectBox, startMaster, waitForBox } from './master-fixtures.js';

const NO_ENV = { KEFU_MASTER_URL: '', KEFU_MASTER_TOKEN: '', KEFU_MASTER_DATA: '', KEFU_MASTER_CONFIG: '', KEFU_MASTER_CA: '' };
const kefu = (args: string[]) => kefuRun(args, undefined, { env: NO_ENV });
const ref = { region: 'dandong', box: 'hall-01' };
const refused = /Bad username or password|Not authorized|closed/i;

test('kefu master box rotate: a new password in the secret file, the old one refused, the running session closed', { timeout: 120_000 }, async (t) => {
  const m = await startMaster(t, { broker: { tcp: { host: '127.0.0.1', port: 0 }, revalidateMs: 200 } });
  const { password } = await m.credentials.addBox(ref.box, ref.region);
  const old = await connectBox(t, m.urls.mqtt!, ref, password);
  const r = await kefu(['--json', 'master', 'box', 'rotate', ref.box, '--data', m.config.dataDir]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.notEqual(out.password, password);
  assert.equal((await readFile(out.secretFile, 'utf8')).trim(), out.password);
  assert.equal(await closedWithin(old, 8000), true, 'the session opened with the old password is closed');
  await assert.rejects(connectBox(t, m.urls.mqtt!, ref, password), refused);
  const fresh = await connectBox(t, m.urls.mqtt!, ref, out.password);
  assert.equal(fresh.connected, true);
  assert.equal(await closedWithin(fresh, 1000), false, 'the new session stays');
  const human = await kefu(['master', 'box', 'rotate', 'ghost', '--data', m.config.dataDir]);
  assert.match(human.stderr, /no box ghost .*\[BOX_UNKNOWN\]/);
});

test('send to an offline box: BOX_OFFLINE at once over HTTP (409) and the CLI; with wait it runs once the box is back; no stale link quality', { timeout: 120_000 }, async (t) => {
  const m = await startMaster(t);
  const token = (await readFile(`${m.config.dataDir}/http.token`, 'utf8')).trim();
  const { password } = await m.credentials.addBox(ref.box, ref.region);
  const answer = (c: MqttClient) => c.on('message', (topic, payload) => {
    const { id, args } = JSON.parse(String(payload));
    if (topic.includes('/cmd/')) void c.publishAsync(topics.result(ref, id), JSON.stringify({ v: PROTOCOL_VERSION, id, ok: true, result: args }), { qos: 1 });
  });
  // a persistent session (as the daemon keeps): its subscriptions outlive the connection
  const first = await connectBox(t, m.urls.mqtt!, ref, password, { clean: false });
  await first.subscribeAsync(boxSubscriptions(ref), { qos: 1 });
  await first.publishAsync(topics.state(ref), JSON.stringify(birth({ transport: { id: '5g', kind: 'nr5g', quality: 0.8 } })), { qos: 1, retain: true });
  await waitForBox(m, ref.box, (b) => b.online, 'online');
  first.stream.destroy(); // gone: the broker publishes its LWT
  const offline = await waitForBox(m, ref.box, (b) => !b.online, 'offline by LWT');
  assert.equal(offline.transport, null, 'no quality for a box that is not there');
  assert.deepEqual(offline.lastTransport, { id: '5g', kind: 'nr5g' });
  const table = await kefu(['master', 'boxes', '--data', m.config.dataDir]);
  assert.match(table.stdout, /hall-01\s+dandong\s+offline\s+\S+\s+\(last: nr5g\)/);
  assert.doesNotMatch(table.stdout, /80%/);

  const post = (body: unknown) => fetch(`${m.urls.http}/api/boxes/${ref.box}/commands`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  let started = Date.now();
  const res = await post({ name: 'echo', args: { a: 1 } });
  assert.equal(res.status, 409);
  assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'BOX_OFFLINE');
  assert.ok(Date.now() - started < 2000, 'at once, not after the 5 s command timeout');
  started = Date.now();
  const cli = await kefu(['master', 'send', ref.box, 'echo', '{}', '--data', m.config.dataDir]);
  assert.equal(cli.code, 1);
  assert.match(cli.stderr, /box hall-01 is offline \(last seen .*--wait.*\[BOX_OFFLINE\]/);
  assert.ok(Date.now() - started < 20_000, 'the CLI does not wait out its 30 s timeout');

  // with wait: queued in the box's session, run when it reconnects
  const waiting = post({ name: 'echo', args: { b: 2 }, wait: true, timeoutMs: 20_000 });
  await new Promise((r) => setTimeout(r, 300));
  const back = await connectBox(t, m.urls.mqtt!, ref, password, { clean: false });
  answer(back);
  await back.publishAsync(topics.state(ref), JSON.stringify(birth()), { qos: 1, retain: true });
  const done = await waiting;
  assert.equal(done.status, 200);
  assert.deepEqual(((await done.json()) as { result: unknown }).result, { b: 2 });
});

test('send with wait to a box that never connected: the command goes out when its birth arrives (no session held it), and is answered', { timeout: 60_000 }, async (t) => {
  const m = await startMaster(t);
  const token = (await readFile(`${m.config.dataDir}/http.token`, 'utf8')).trim();
  const fresh = { region: 'dandong', box: 'hall-02' };
  const { password } = await m.credentials.addBox(fresh.box, fresh.region);
  await waitForBox(m, fresh.box, (b) => !b.online && b.lastSeen === null, 'provisioned, never seen');
  const waiting = fetch(`${m.urls.http}/api/boxes/${fresh.box}/commands`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'echo', args: { c: 3 }, wait: true, timeoutMs: 20_000 }) });
  await new Promise((r) => setTimeout(r, 500));
  // its first connection, as the daemon makes it: subscribe, then the birth
  const box = await connectBox(t, m.urls.mqtt!, fresh, password);
  box.on('message', (topic, payload) => {
    const { id, args } = JSON.parse(String(payload));
    if (topic.includes('/cmd/')) void box.publishAsync(topics.result(fresh, id), JSON.stringify({ v: PROTOCOL_VERSION, id, ok: true, result: args }), { qos: 1 });
  });
  await box.subscribeAsync(boxSubscriptions(fresh), { qos: 1 });
  await box.publishAsync(topics.state(fresh), JSON.stringify(birth()), { qos: 1, retain: true });
  const done = await waiting;
  assert.equal(done.status, 200);
  assert.deepEqual(((await done.json()) as { result: unknown }).result, { c: 3 });
});
