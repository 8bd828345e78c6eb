import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { startBroker, subscriber, waitFor } from '../helpers/aedes-broker.js';
import { BOX, openBox } from '../helpers/box-link.js';
import { tempDir } from '../helpers/tmp.js';
import { sublevel } from '../../daemon/store.js';
import { createLogger, silentLogger, type Logger } from '../../daemon/logger.js';
import { Writable } from 'node:stream';
import { createCommandRouter, createDesiredConfig, type CatalogueEntry } from '../../daemon/commands/index.js';
import { boxSubscriptions, topics } from '../../protocol/topics.js';
import { CfgReportedMessage, ResultMessage, type CfgMessage } from '../../protocol/schemas.js';
import { CommandError } from '../../protocol/errors.js';

async function setup(t: import('node:test').TestContext, extra: { confirmTimeoutMs?: number; apply?: (c: CfgMessage) => void | Promise<void>; rollback?: (c: CfgMessage) => void; allow?: string[]; log?: Logger } = {}) {
  const broker = await startBroker();
  t.after(() => broker.stop());
  const master = await subscriber(broker.port, `${topics.result(BOX, '+')}`);
  t.after(() => master.close());
  await master.client.subscribeAsync(topics.cfgReported(BOX), { qos: 1 });
  let linkAllowed = true;
  const box = await openBox({ dir: await tempDir(t), port: () => (linkAllowed ? broker.port : 1) });
  t.after(() => box.close());
  const runs: string[] = [];
  const desired = createDesiredConfig({
    box: BOX, log: extra.log ?? silentLogger(), link: box.uplink, outbox: box.outbox, store: sublevel(box.root, 'cfg'),
    confirmTimeoutMs: extra.confirmTimeoutMs ?? 5000,
    apply: extra.apply ?? (() => {}),
    rollback: extra.rollback ?? (() => {}),
  });
  t.after(() => desired.stop());
  const router = createCommandRouter({
    box: BOX, log: silentLogger(), link: box.uplink, outbox: box.outbox, store: sublevel(box.root, 'commands'),
    allow: extra.allow ?? ['system.*', 'test.*'], maxPayloadBytes: 4096, onCfg: (p) => desired.onPayload(p),
  });
  t.after(() => router.stop());
  router.handle('system.echo', z.object({ text: z.string() }), (args, meta) => { runs.push(meta.id); return { echo: args.text }; });
  router.handle('system.fail', z.object({}).optional(), () => { throw new CommandError('DISK_FULL', 'no space left'); });
  router.handle('test.long', z.object({}).optional(), async (_a, meta) => { meta.progress(0.5, 'half'); await new Promise((r) => setTimeout(r, 50)); return 'done'; });
  router.handle('secret.op', z.object({}).optional(), () => 'should never run');
  // a command published before the broker took the box's SUBSCRIBE would reach nobody: wait for the broker to have it
  const cmdFilter = boxSubscriptions(BOX)[0]!;
  let subscribed = false;
  broker.aedes!.on('subscribe', (subs) => { if (subs.some((x) => x.topic === cmdFilter)) subscribed = true; });
  await router.start();
  box.uplink.start();
  await box.uplink.once('connected', 10_000);
  await waitFor(() => subscribed, 10_000, `the box subscribed to ${cmdFilter}`);
  const send = (name: string, body: unknown) => master.client.publishAsync(topics.command(BOX, name), typeof body === 'string' ? body : JSON.stringify(body), { qos: 1 });
  const results = (id: string) => master.messages.filter((m) => m.topic === topics.result(BOX, id)).map((m) => ResultMessage.parse(m.json));
  const final = async (id: string) => {
    await master.until(() => results(id).some((r) => 'ok' in r), 10_000, `result of ${id}`);
    return results(id).find((r) => 'ok' in r) as Extract<ResultMessage, { ok: boolean }>;
  };
  return { broker, master, box, router, desired, runs, send, results, final, setLink: (v: boolean) => { linkAllowed = v; } };
}

const errCode = (r: Extract<ResultMessage, { ok: boolean }>) => (r.ok ? null : r.error.code);

test('a command runs once per id; a duplicate gets the stored result again', async (t) => {
  const s = await setup(t);
  await s.send('system.echo', { v: 1, id: 'c-1', args: { text: 'hi' } });
  const r = await s.final('c-1');
  assert.deepEqual(r.ok && r.result, { echo: 'hi' });
  await s.send('system.echo', { v: 1, id: 'c-1', args: { text: 'hi' } });
  await s.master.until(() => s.results('c-1').length === 2, 10_000, 'the re-sent result');
  assert.deepEqual(s.results('c-1')[1], s.results('c-1')[0], 'identical stored result');
  assert.deepEqual(s.runs, ['c-1'], 'executed once');
  assert.equal(s.router.stats().duplicates, 1);
});

test('a command that was running when the box died is answered COMMAND_INTERRUPTED, never run again', async (t) => {
  const s = await setup(t);
  // what the ledger holds after a crash in the middle of the handler
  await sublevel(s.box.root, 'commands').put('crashed-1', { s: 'running', ts: Date.now() - 1000 });
  await s.send('system.echo', { v: 1, id: 'crashed-1', args: { text: 'again' } });
  assert.equal(errCode(await s.final('crashed-1')), 'COMMAND_INTERRUPTED');
  assert.deepEqual(s.runs, []);
});

test('expired, not allowed, unknown, bad args and failing handlers answer with their codes', async (t) => {
  const s = await setup(t);
  await s.send('system.echo', { v: 1, id: 'exp', args: { text: 'x' }, expiresAt: Date.now() - 1000 });
  await s.send('secret.op', { v: 1, id: 'deny' });
  await s.send('system.nope', { v: 1, id: 'unk' });
  await s.send('system.echo', { v: 1, id: 'args', args: { text: 5 } });
  await s.send('system.fail', { v: 1, id: 'fail' });
  assert.equal(errCode(await s.final('exp')), 'COMMAND_EXPIRED');
  assert.equal(errCode(await s.final('deny')), 'COMMAND_NOT_ALLOWED');
  assert.equal(errCode(await s.final('unk')), 'UNKNOWN_COMMAND');
  const a = await s.final('args');
  assert.equal(errCode(a), 'ARGS_INVALID');
  assert.match(!a.ok ? a.error.message : '', /^text: /);
  assert.deepEqual(!(await s.final('fail')).ok && (await s.final('fail') as { error: unknown }).error, { code: 'DISK_FULL', message: 'no space left' });
  assert.deepEqual(s.runs, [], 'nothing refused ran');
});

test('broadcast commands (region and global) are answered on the box own res topic', async (t) => {
  const s = await setup(t);
  await s.master.client.publishAsync(topics.regionBroadcast(BOX.region, 'system.echo'), JSON.stringify({ v: 1, id: 'bc-region', args: { text: 'r' } }), { qos: 1 });
  await s.master.client.publishAsync(topics.globalBroadcast('system.echo'), JSON.stringify({ v: 1, id: 'bc-global', args: { text: 'g' } }), { qos: 1 });
  assert.deepEqual((await s.final('bc-region')).ok && (await s.final('bc-region') as { result: unknown }).result, { echo: 'r' });
  assert.deepEqual((await s.final('bc-global')).ok && (await s.final('bc-global') as { result: unknown }).result, { echo: 'g' });
});

test('progress comes before the final result', async (t) => {
  const s = await setup(t);
  await s.send('test.long', { v: 1, id: 'long-1' });
  await s.final('long-1');
  const all = s.results('long-1');
  assert.deepEqual(all[0], { v: 1, id: 'long-1', progress: 0.5, note: 'half', ts: (all[0] as { ts: number }).ts });
  assert.equal((all[1] as { ok: boolean }).ok, true);
});

test('malformed and oversized payloads are counted and never crash; a readable id gets PAYLOAD_INVALID', async (t) => {
  const s = await setup(t);
  await s.send('system.echo', '{not json');
  await s.send('system.echo', JSON.stringify({ v: 1, id: 'bad-v', args: 1, expiresAt: 'soon' }));
  await s.send('system.echo', JSON.stringify({ v: 1, id: 'x'.repeat(9000) }));
  await s.send('system.echo', Buffer.alloc(20_000, 0xff).toString('latin1'));
  assert.equal(errCode(await s.final('bad-v')), 'PAYLOAD_INVALID');
  await waitFor(() => (s.router.stats().rejected.PAYLOAD_TOO_LARGE ?? 0) === 2 && (s.router.stats().rejected.PAYLOAD_NOT_JSON ?? 0) === 1, 5000, 'reject counters');
  // still alive and serving
  await s.send('system.echo', { v: 1, id: 'after', args: { text: 'ok' } });
  assert.equal((await s.final('after')).ok, true);
});

test('a result survives a dropped link: it waits in the outbox and arrives after the reconnect', async (t) => {
  const s = await setup(t);
  let release!: () => void;
  s.router.handle('test.slow', z.object({}).optional(), () => new Promise((r) => { release = () => r('late'); }));
  await s.send('test.slow', { v: 1, id: 'slow-1' });
  await waitFor(() => typeof release === 'function', 5000, 'the handler to start');
  s.setLink(false);
  const down = s.box.uplink.once('disconnected', 10_000);
  s.box.sockets.at(-1)!.destroy();
  await down;
  release();
  await waitFor(() => s.box.outbox.stats().pending.critical === 1, 5000, 'the result in the outbox');
  s.setLink(true);
  const r = await s.final('slow-1');
  assert.deepEqual(r.ok && r.result, 'late');
});

test('desired config: applied and confirmed over the link, not re-applied when the retained copy comes again', async (t) => {
  const applied: number[] = [];
  const s = await setup(t, { apply: (c) => { applied.push(c.version); } });
  await s.master.client.publishAsync(topics.cfg(BOX), JSON.stringify({ v: 1, version: 3, config: { a: 1 } }), { qos: 1, retain: true });
  await s.master.until((m) => m.some((x) => x.topic === topics.cfgReported(BOX)), 10_000, 'cfg/reported');
  const rep = CfgReportedMessage.parse(s.master.messages.find((x) => x.topic === topics.cfgReported(BOX))!.json);
  assert.deepEqual({ version: rep.version, applied: rep.applied }, { version: 3, applied: true });
  // reconnect: the broker re-delivers the retained cfg
  const again = s.box.uplink.once('connected', 10_000);
  s.box.sockets.at(-1)!.destroy();
  await again;
  await new Promise((r) => setTimeout(r, 300));
  await s.desired.idle();
  assert.deepEqual(applied, [3]);
});

test('desired config that loses the master link is rolled back and reported applied:false', async (t) => {
  const events: string[] = [];
  let s!: Awaited<ReturnType<typeof setup>>;
  s = await setup(t, {
    confirmTimeoutMs: 1500,
    apply: (c) => { events.push(`apply ${c.version}`); s.setLink(false); s.box.sockets.at(-1)!.destroy(); },
    rollback: (c) => { events.push(`rollback ${c.version}`); s.setLink(true); },
  });
  await s.master.client.publishAsync(topics.cfg(BOX), JSON.stringify({ v: 1, version: 7, config: { transports: 'broken' } }), { qos: 1, retain: true });
  await s.master.until((m) => m.some((x) => x.topic === topics.cfgReported(BOX)), 15_000, 'cfg/reported');
  const rep = CfgReportedMessage.parse(s.master.messages.find((x) => x.topic === topics.cfgReported(BOX))!.json);
  assert.equal(rep.applied, false);
  assert.equal(rep.error?.code, 'CONFIG_ROLLED_BACK');
  assert.deepEqual(events, ['apply 7', 'rollback 7']);
});


test('commands.list describes every command; UNKNOWN_COMMAND names them; left-out args are {} when that is valid; aliases obey the allow-list of their command', async (t) => {
  const s = await setup(t, { allow: ['system.*', 'test.*', 'commands.list'] });
  s.router.handle('test.opt', z.object({ n: z.number().default(3) }).strict(), (a) => a, { description: 'n is optional' });
  s.router.handle('test.req', z.object({ id: z.string(), mode: z.enum(['a', 'b']).optional() }).strict(), (a) => a, { description: 'needs an id' });
  s.router.alias('test.again', 'test.req');
  s.router.alias('sec.op', 'secret.op');

  await s.send('commands.list', { v: 1, id: 'list' });
  await s.send('test.opt', { v: 1, id: 'opt' });
  await s.send('test.req', { v: 1, id: 'req' });
  await s.send('test.again', { v: 1, id: 'alias', args: { id: 'x' } });
  await s.send('sec.op', { v: 1, id: 'sec' });
  await s.send('system.nope', { v: 1, id: 'unk' });

  const list = await s.final('list');
  assert.ok(list.ok, JSON.stringify(list));
  const byName = new Map((list.result as CatalogueEntry[]).map((e) => [e.name, e]));
  assert.deepEqual([...byName.keys()], ['commands.list', 'secret.op', 'system.echo', 'system.fail', 'test.long', 'test.opt', 'test.req']);
  assert.deepEqual(byName.get('test.req'), {
    name: 'test.req', description: 'needs an id', aliases: ['test.again'], allowed: true,
    args: { type: 'object', properties: { id: { type: 'string' }, mode: { type: 'string', enum: ['a', 'b'] } }, required: ['id'], additionalProperties: false },
  });
  assert.equal(byName.get('secret.op')?.allowed, false);
  assert.deepEqual(byName.get('test.opt')?.args, { type: 'object', properties: { n: { type: 'number', default: 3 } }, additionalProperties: false });

  const opt = await s.final('opt');
  assert.deepEqual(opt.ok && opt.result, { n: 3 }, 'no args: {} with its defaults');
  const req = await s.final('req');
  assert.equal(errCode(req), 'ARGS_INVALID');
  assert.match(!req.ok ? req.error.message : '', /^id: .*\(test\.req takes args \{id: string, mode\?: "a"\|"b"\}\)$/);
  const alias = await s.final('alias');
  assert.deepEqual(alias.ok && alias.result, { id: 'x' });
  assert.equal(errCode(await s.final('sec')), 'COMMAND_NOT_ALLOWED', 'an alias is refused like the command it names');
  const unk = await s.final('unk');
  assert.equal(errCode(unk), 'UNKNOWN_COMMAND');
  assert.match(!unk.ok ? unk.error.message : '', /it has commands\.list, secret\.op, system\.echo, system\.fail, test\.long, test\.opt, test\.req \(commands\.list/);
});


test('a desired config the box refuses with a code is one info line without a stack; the master gets the code', async (t) => {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({ write(chunk, _e, cb) { for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l)); cb(); } });
  const s = await setup(t, { log: createLogger({ level: 'info', destination }), apply: () => { throw new CommandError('CFG_INVALID', 'failover.order: no link "nope" on this box'); } });
  await s.master.client.publishAsync(topics.cfg(BOX), JSON.stringify({ v: 1, version: 4, config: { failover: { order: ['nope'] } } }), { qos: 1, retain: true });
  await s.master.until((m) => m.some((x) => x.topic === topics.cfgReported(BOX)), 15_000, 'cfg/reported');
  const rep = CfgReportedMessage.parse(s.master.messages.find((x) => x.topic === topics.cfgReported(BOX))!.json);
  assert.equal(rep.error?.code, 'CFG_INVALID');
  const refused = lines.find((l) => l.msg === 'desired config refused')!;
  assert.equal(refused.level, 30);
  assert.equal(refused.code, 'CFG_INVALID');
  assert.ok(!JSON.stringify(refused).includes('stack'), 'no stack for a routine refusal');
});
