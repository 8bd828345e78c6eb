import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chatServiceRig } from '../helpers/chat-service-rig.js';

const setup = chatServiceRig;

test('bot answers, 转人工 queues, agent accepts, closes, bot is back, bad rating opens a task', async (t) => {
  const { svc, events, published, archive, advance } = await setup(t);
  await svc.agents.set({ id: 'a1', name: '小王', skills: ['invoice'], password: 'correct horse', role: 'agent' });
  await svc.agents.set({ id: 'boss', name: '主管', skills: ['general'], password: 'correct horse', role: 'supervisor' });
  const { conv } = await svc.open({ terminalId: 'kiosk-1', customerId: 'c-1' });
  await svc.customerMessage(conv.id, { text: '发票开错了怎么开红字发票' });
  const answer = events.filter((e) => e.type === 'message').map((e) => (e as { message: { kbId?: string } }).message).find((m) => m.kbId);
  assert.equal(answer?.kbId, 'INV-02');
  await svc.customerMessage(conv.id, { text: '我要转人工' });
  const c1 = await svc.conversation(conv.id);
  assert.deepEqual([c1.owner, c1.status, c1.queue], ['queue', 'waiting', 'invoice']);
  assert.equal(svc.queue.position(conv.id), 1);
  // bot silent after handoff
  const before = events.filter((e) => e.type === 'message').length;
  await svc.customerMessage(conv.id, { text: '发票怎么查验真伪' });
  assert.equal(events.filter((e) => e.type === 'message').length, before + 1);
  await assert.rejects(svc.agents.login('a1', 'wrong password'), /wrong agent id or password/);
  await svc.agents.login('a1', 'correct horse');
  await svc.setAgentStatus('a1', 'online');
  const c2 = await svc.conversation(conv.id);
  assert.deepEqual([c2.owner, c2.status, c2.agentId], ['agent', 'waiting', 'a1']);
  await svc.accept('a1', conv.id);
  advance(90_000);
  await svc.agentMessage('a1', conv.id, { text: '您好，请问开错的是哪张发票？' });
  await svc.close('a1', conv.id);
  const c3 = await svc.conversation(conv.id);
  assert.deepEqual([c3.owner, c3.status, c3.agentId, c3.lastAgentId], ['bot', 'open', null, 'a1']);
  assert.ok(events.some((e) => e.type === 'rate_request'));
  assert.equal(svc.queue.agent('a1')?.load, 0);
  await svc.rate(conv.id, 1, '没解决');
  const tasks = await svc.tasks();
  assert.equal(tasks.length, 1);
  assert.equal(tasks[0].agentId, 'a1');
  await assert.rejects(svc.completeTask('a1', tasks[0].id), /supervisors/);
  await svc.completeTask('boss', tasks[0].id);
  assert.equal((await svc.tasks())[0].status, 'done');
  for (const type of ['message', 'handoff', 'rating', 'followup']) assert.ok(published.some((p) => p.type === type), type);
  const cls = (from: string) => published.filter((p) => p.type === 'message' && (p.data as { from: string }).from === from).map((p) => p.class);
  assert.deepEqual([...new Set(cls('customer'))], ['event']);
  assert.deepEqual([...new Set(cls('bot'))], ['bulk']);
  for (const kind of ['chat.start', 'chat.message', 'chat.handoff', 'chat.rating']) assert.ok(archive.some((a) => a.kind === kind), kind);
});

test('reconnect with the last seen seq returns exactly the missed messages; state survives a restart', async (t) => {
  const { svc, make } = await setup(t);
  const { conv, messages } = await svc.open({ terminalId: 'k2' });
  assert.equal(messages.length, 1);
  await svc.customerMessage(conv.id, { text: '办税服务厅几点上班' });
  await svc.customerMessage(conv.id, { value: 'human', text: '转人工' });
  const last = messages[0].seq;
  svc.stop();
  const again = make();
  await again.start();
  t.after(() => again.stop());
  const resumed = await again.open({ terminalId: 'k2', convId: conv.id, lastSeq: last });
  assert.equal(resumed.conv.id, conv.id);
  assert.deepEqual(resumed.messages.map((m) => m.seq), Array.from({ length: resumed.conv.lastSeq - last }, (_, i) => last + 1 + i));
  assert.equal(again.queue.position(conv.id), 1);
  // another terminal cannot take the conversation over
  assert.notEqual((await again.open({ terminalId: 'intruder', convId: conv.id })).conv.id, conv.id);
});

test('per-business modes and hours: human_only hands off at once; outside hours the bot explains', async (t) => {
  const { svc, advance } = await setup(t, { modes: { property: 'human_only' } });
  const { conv } = await svc.open({ terminalId: 'k3' });
  await svc.customerMessage(conv.id, { text: '首套房契税多少' });
  assert.equal((await svc.conversation(conv.id)).owner, 'queue');
  advance(12 * 3600_000); // 22:00 Shanghai
  const b = await svc.open({ terminalId: 'k4' });
  await svc.customerMessage(b.conv.id, { text: '转人工' });
  const c = await svc.conversation(b.conv.id);
  assert.equal(c.owner, 'bot');
  assert.match((await svc.history(b.conv.id)).at(-1)!.text!, /人工服务时间/);
});

test('refusal shows the business menu; a second miss hands off to the identified business', async (t) => {
  const { svc } = await setup(t);
  const { conv } = await svc.open({ terminalId: 'k5' });
  await svc.customerMessage(conv.id, { text: '我们单位有燃煤锅炉，环保税到底要不要交' });
  const menu = (await svc.history(conv.id)).at(-1)!;
  assert.equal(menu.kind, 'buttons');
  assert.ok(menu.buttons!.some((b) => b.value === 'human'));
  await svc.customerMessage(conv.id, { value: menu.buttons![0].value, text: menu.buttons![0].label });
  assert.equal((await svc.conversation(conv.id)).owner, 'queue');
});

test('transfer to another agent and to another queue; files over the limit are refused', async (t) => {
  const { svc } = await setup(t, { limits: { fileBytes: 1000 } });
  for (const id of ['x', 'y']) { await svc.agents.set({ id, name: id, skills: ['general'], password: 'password-1' }); await svc.setAgentStatus(id, 'online'); }
  const { conv } = await svc.open({ terminalId: 'k6' });
  await svc.customerMessage(conv.id, { value: 'human', text: '转人工' });
  const first = (await svc.conversation(conv.id)).agentId!;
  const other = first === 'x' ? 'y' : 'x';
  await svc.accept(first, conv.id);
  await assert.rejects(svc.customerMessage(conv.id, { file: { name: 'a.png', mime: 'image/png', size: 5000, url: 'data:,' } }), /file over/);
  await svc.transfer(first, conv.id, { toAgent: other });
  assert.equal((await svc.conversation(conv.id)).agentId, other);
  await svc.accept(other, conv.id);
  await svc.transfer(other, conv.id, { toQueue: 'iit' });
  const c = await svc.conversation(conv.id);
  assert.deepEqual([c.owner, c.queue], ['queue', 'iit']);
  assert.deepEqual(svc.queue.agents().map((a) => a.load), [0, 0]);
});

test('bot-only conversations left idle are closed; a queued one is kept', async (t) => {
  const { svc, advance } = await setup(t);
  const a = await svc.open({ terminalId: 'idle-1' });
  const b = await svc.open({ terminalId: 'idle-2' });
  await svc.customerMessage(b.conv.id, { text: '转人工' });
  advance(29 * 60_000);
  assert.equal(await svc.closeIdle(), 0);
  advance(2 * 60_000);
  assert.equal(await svc.closeIdle(), 1);
  assert.equal((await svc.conversation(a.conv.id)).status, 'closed');
  assert.equal((await svc.conversation(b.conv.id)).owner, 'queue');
  // the terminal coming back after that starts afresh
  assert.notEqual((await svc.open({ terminalId: 'idle-1', convId: a.conv.id })).conv.id, a.conv.id);
});

test('every way a conversation closes is told alike (archive chat.end, master closed, with its reason); a customer ending frees the agent for the next one at once', async (t) => {
  // no background tick: whatever happens, happens because of the call under test
  const { svc, published, archive, advance } = await setup(t, { queue: { tickMs: 3_600_000 } });
  await svc.agents.set({ id: 'a1', name: '小王', skills: ['general'], password: 'correct horse', capacity: 1 });
  await svc.agents.login('a1', 'correct horse');
  await svc.setAgentStatus('a1', 'online');
  const served = (await svc.open({ terminalId: 'k-served' })).conv;
  const next = (await svc.open({ terminalId: 'k-next' })).conv;
  const idle = (await svc.open({ terminalId: 'k-idle' })).conv;
  await svc.requestHuman(served.id);
  await svc.accept('a1', served.id);
  await svc.requestHuman(next.id);
  assert.equal((await svc.conversation(next.id)).owner, 'queue', 'the only agent is busy');

  await svc.end(served.id);
  await svc.end(served.id); // twice: closed once
  assert.deepEqual([(await svc.conversation(next.id)).owner, (await svc.conversation(next.id)).agentId], ['agent', 'a1'], 'offered at once, not at the next tick');

  const unlink = await svc.link(next.id);
  await unlink();
  advance(121_000);
  assert.equal(await svc.sweepAbandoned(), 1);
  advance(31 * 60_000);
  assert.equal(await svc.closeIdle(), 1);

  const closes = published.filter((p) => p.type === 'closed').map((p) => p.data as { convId: string; reason: string; business: string | null });
  assert.deepEqual(closes.map((c) => [c.convId, c.reason]), [[served.id, 'customer'], [next.id, 'abandoned'], [idle.id, 'idle']]);
  const ends = archive.filter((a) => a.kind === 'chat.end').map((a) => (a as unknown as { data: { convId: string; by: string; agentId: string | null } }).data);
  assert.deepEqual(ends.map((e) => [e.convId, e.by, e.agentId]), [[served.id, 'customer', 'a1'], [next.id, 'abandoned', 'a1'], [idle.id, 'idle', null]]);
  for (const [id, reason] of [[served.id, 'customer'], [next.id, 'abandoned'], [idle.id, 'idle']]) {
    const c = await svc.conversation(id);
    assert.deepEqual([c.status, c.closeReason, typeof c.closedAt], ['closed', reason, 'number'], id);
  }
  assert.equal(svc.queue.agent('a1')?.load, 0);
  assert.equal(svc.stats().open, 0);
});

test('answers come off the engine\'s thread in turn: a conversation\'s messages keep their order, and one ended meanwhile gets no answer', async (t) => {
  let release!: () => void;
  let held = new Promise<void>((r) => { release = r; });
  const { svc, events } = await setup(t, {}, () => held);
  const { conv } = await svc.open({ terminalId: 'kiosk-1', customerId: 'c-1' });
  const texts = () => events.filter((e) => e.type === 'message').map((e) => (e as { message: { from: string; kbId?: string } }).message);
  // two messages while the engine is busy: the second is not routed before the first is answered
  const first = svc.customerMessage(conv.id, { text: '发票开错了怎么开红字发票' });
  const second = svc.customerMessage(conv.id, { text: '首套房契税多少' });
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(texts().filter((m) => m.from === 'customer').length, 1, 'the second waits its turn');
  release();
  await Promise.all([first, second]);
  assert.deepEqual(texts().filter((m) => m.kbId).map((m) => m.kbId), ['INV-02', 'PRO-02']);
  // the customer ends the chat while the engine still thinks: the echo stays, no answer follows
  held = new Promise<void>((r) => { release = r; });
  const late = svc.customerMessage(conv.id, { text: '发票怎么查验真伪' });
  await new Promise((r) => setTimeout(r, 50));
  await svc.end(conv.id);
  const before = texts().length;
  release();
  await late;
  assert.equal(texts().length, before, 'no bot line after the chat was closed');
  assert.equal((await svc.conversation(conv.id)).status, 'closed');
});
