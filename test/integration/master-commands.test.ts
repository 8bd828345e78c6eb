// The command API: round trip with a fake box, progress, box errors, timeout, broadcast, over HTTP too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MqttClient } from 'mqtt';
import { CommandMessage, PROTOCOL_VERSION } from '../../protocol/schemas.js';
import { boxSubscriptions, parseTopic, topics, type BoxRef } from '../../protocol/topics.js';
import { decodePayload } from '../../protocol/decode.js';
import type { Master } from '../../master/index.js';
import { birth, connectBox, startMaster, waitFor, waitForBox } from './master-fixtures.js';

type Handler = (name: string, args: unknown, reply: (body: Record<string, unknown>) => Promise<void>) => Promise<void> | void;

/** A box that answers commands through `handler`; it also records every command message it got. */
async function fakeBox(t: { after(fn: () => unknown): void }, m: Master, ref: BoxRef, handler: Handler): Promise<{ client: MqttClient; got: CommandMessage[] }> {
  const { password } = await m.credentials.addBox(ref.box, ref.region);
  const client = await connectBox(t, m.urls.mqtt!, ref, password);
  const got: CommandMessage[] = [];
  client.on('message', (topic, payload) => {
    const parsed = parseTopic(topic);
    const msg = decodePayload(CommandMessage, payload);
    if (parsed?.kind !== 'command' || !msg.ok) return;
    got.push(msg.value);
    const reply = (body: Record<string, unknown>) => client.publishAsync(topics.result(ref, msg.value.id), JSON.stringify({ v: PROTOCOL_VERSION, id: msg.value.id, ...body }), { qos: 1 }).then(() => undefined);
    void handler(parsed.name, msg.value.args, reply);
  });
  await client.subscribeAsync(boxSubscriptions(ref), { qos: 1 });
  await client.publishAsync(topics.state(ref), JSON.stringify(birth()), { qos: 1, retain: true });
  await waitForBox(m, ref.box, (b) => b.online, `${ref.box} online`);
  return { client, got };
}

test('a command round trip: the box gets {v,id,args,expiresAt,by} on cmd/{name}, progress is reported, the result resolves', async (t) => {
  const m = await startMaster(t);
  const ref = { region: 'dandong', box: 'hall-01' };
  const box = await fakeBox(t, m, ref, async (name, args, reply) => {
    await reply({ progress: 0.5, note: 'half' });
    await reply({ ok: true, result: { name, echo: args } });
  });
  const progress: number[] = [];
  const res = await m.commands.send('hall-01', 'system.info', { verbose: true }, { timeoutMs: 5000, onProgress: (p) => progress.push(p.progress) });
  assert.deepEqual(res.result, { name: 'system.info', echo: { verbose: true } });
  assert.deepEqual(progress, [0.5]);
  const cmd = box.got[0];
  assert.equal(cmd.id, res.id);
  assert.equal(cmd.by, 'master');
  assert.ok(cmd.expiresAt! > Date.now() && cmd.expiresAt! <= Date.now() + 5000);
  assert.equal(m.commands.pending(), 0);
});

test('a box error rejects with its code; no answer rejects with COMMAND_TIMEOUT; unknown boxes are refused', async (t) => {
  const m = await startMaster(t);
  await fakeBox(t, m, { region: 'dandong', box: 'hall-01' }, async (name, _args, reply) => {
    if (name === 'fail') await reply({ ok: false, error: { code: 'COMMAND_NOT_ALLOWED', message: 'not on the allow-list' } });
    // 'silent': never answers
  });
  await assert.rejects(m.commands.send('hall-01', 'fail', {}), { code: 'COMMAND_NOT_ALLOWED' });
  const started = Date.now();
  await assert.rejects(m.commands.send('hall-01', 'silent', {}, { timeoutMs: 400 }), { code: 'COMMAND_TIMEOUT' });
  assert.ok(Date.now() - started >= 390);
  await assert.rejects(m.commands.send('nope', 'x', {}), { code: 'BOX_UNKNOWN' });
  await assert.rejects(m.commands.send('hall-01', 'bad/name', {}), { code: 'COMMAND_NAME_INVALID' });
  assert.equal(m.commands.pending(), 0);
});

test('a result from another box for my command id is ignored', async (t) => {
  const m = await startMaster(t);
  const a = { region: 'dandong', box: 'hall-01' };
  const b = { region: 'dandong', box: 'hall-02' };
  const target = await fakeBox(t, m, a, () => undefined); // never answers
  const other = await fakeBox(t, m, b, () => undefined);
  const pending = m.commands.send('hall-01', 'system.info', {}, { timeoutMs: 1500 });
  const rejected = assert.rejects(pending, { code: 'COMMAND_TIMEOUT' });
  await waitFor(() => target.got.length === 1, 5000, 'the command at hall-01');
  // hall-02 learnt the id somehow and answers on its own res/ topic (the only one its ACL allows)
  const id = target.got[0].id;
  await other.client.publishAsync(topics.result(b, id), JSON.stringify({ v: PROTOCOL_VERSION, id, ok: true, result: 'forged' }), { qos: 1 });
  await rejected;
  assert.equal(m.stats().ingest.resultsUnmatched, 1);
  assert.equal(other.got.length, 0, 'hall-02 never saw hall-01 commands');
});

test('a region broadcast reaches every box of the region and gathers their results', async (t) => {
  const m = await startMaster(t);
  const answer: Handler = async (name, _a, reply) => { await reply({ ok: true, result: name }); };
  const boxes = [{ region: 'dandong', box: 'hall-01' }, { region: 'dandong', box: 'hall-02' }, { region: 'shenyang', box: 'hall-03' }];
  const fakes = [];
  for (const ref of boxes) fakes.push(await fakeBox(t, m, ref, answer));
  const res = await m.commands.broadcast('system.ping', {}, { region: 'dandong', timeoutMs: 5000 });
  assert.deepEqual(res.results.map((r) => r.box).sort(), ['hall-01', 'hall-02']);
  assert.equal(fakes[2].got.length, 0, 'another region is not addressed');
  const all = await m.commands.broadcast('system.ping', {}, { timeoutMs: 5000 });
  assert.deepEqual(all.results.map((r) => r.box).sort(), ['hall-01', 'hall-02', 'hall-03']);
});

test('the HTTP command API maps results and failures to status codes', async (t) => {
  const m = await startMaster(t);
  const { readFile } = await import('node:fs/promises');
  const token = (await readFile(`${m.config.dataDir}/http.token`, 'utf8')).trim();
  await fakeBox(t, m, { region: 'dandong', box: 'hall-01' }, async (name, args, reply) => {
    if (name === 'echo') await reply({ ok: true, result: args });
    if (name === 'fail') await reply({ ok: false, error: { code: 'BUSY', message: 'busy' } });
  });
  const post = (id: string, body: unknown, auth = token) => fetch(`${m.urls.http}/api/boxes/${id}/commands`, { method: 'POST', headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const ok = await post('hall-01', { name: 'echo', args: { a: 1 } });
  assert.equal(ok.status, 200);
  assert.deepEqual(((await ok.json()) as { result: unknown }).result, { a: 1 });
  assert.equal((await post('hall-01', { name: 'fail' })).status, 502);
  const timeout = await post('hall-01', { name: 'silent', timeoutMs: 300 });
  assert.equal(timeout.status, 504);
  assert.equal(((await timeout.json()) as { error: { code: string } }).error.code, 'COMMAND_TIMEOUT');
  assert.equal((await post('ghost', { name: 'echo' })).status, 404);
  assert.equal((await post('hall-01', { args: 1 })).status, 400);
  assert.equal((await post('hall-01', { name: 'echo' }, 'wrong-token')).status, 401);
});

test('desired config over HTTP: PUT publishes a retained cfg with a rising version and waits for cfg/reported', async (t) => {
  const m = await startMaster(t);
  const { readFile } = await import('node:fs/promises');
  const token = (await readFile(`${m.config.dataDir}/http.token`, 'utf8')).trim();
  const ref = { region: 'dandong', box: 'hall-01' };
  const box = await fakeBox(t, m, ref, () => undefined);
  const seen: Array<{ version: number; config: unknown; retain: boolean }> = [];
  box.client.on('message', (topic, payload, packet) => {
    if (topic !== topics.cfg(ref)) return;
    const cfg = JSON.parse(String(payload));
    seen.push({ version: cfg.version, config: cfg.config, retain: packet.retain });
    // a box refuses what it cannot apply, with its error code
    const applied = Array.isArray(cfg.config.failover?.order);
    void box.client.publishAsync(topics.cfgReported(ref), JSON.stringify({ v: 1, version: cfg.version, applied, ...(applied ? {} : { error: { code: 'CFG_INVALID', message: 'failover.order: expected array' } }), ts: Date.now() }), { qos: 1, retain: true });
  });
  const put = async (body: unknown) => {
    const res = await fetch(`${m.urls.http}/api/boxes/hall-01/config`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as { ok: boolean; version: number; reported: { applied: boolean; version: number } | null; error?: { code: string } } };
  };
  const first = await put({ config: { failover: { order: ['eth'] } }, waitMs: 5000 });
  assert.equal(first.status, 200);
  assert.equal(first.body.reported?.version, first.body.version);
  const second = await put({ config: { failover: { order: ['5g'] } }, waitMs: 5000 });
  assert.ok(second.body.version > first.body.version);
  assert.deepEqual(seen.map((s) => s.config), [{ failover: { order: ['eth'] } }, { failover: { order: ['5g'] } }]);
  assert.equal(m.registry.get('hall-01')?.cfgReported?.version, second.body.version);
  assert.equal((await put({ config: 'nope' })).status, 400);
  // a config the box rejects is not a success: 422 with the box's error
  const rejected = await put({ config: { failover: { order: 42 } }, waitMs: 5000 });
  assert.equal(rejected.status, 422);
  assert.equal(rejected.body.ok, false);
  assert.equal(rejected.body.error?.code, 'CFG_INVALID');
  assert.equal(rejected.body.reported?.applied, false);
  // without waitMs: published, not yet applied
  const accepted = await put({ config: { failover: { order: ['eth'] } } });
  assert.equal(accepted.status, 202);
  assert.equal(accepted.body.reported, null);
});

test('commands before start() fail with a code, not a crash', async () => {
  const { createMaster } = await import('../../master/index.js');
  const m = createMaster({ dataDir: '/nonexistent-never-started' });
  m.registry.ensureKnown('hall-01', 'dandong');
  await assert.rejects(m.commands.send('hall-01', 'system.info'), { code: 'MASTER_NOT_STARTED' });
  await m.stop(); // stop without start is a no-op
});
