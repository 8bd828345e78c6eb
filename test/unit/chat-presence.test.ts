// Regressions from the new-user walkthrough: closed terminals left stale conversations (still offered with 接入,
// counted toward the agent's capacity and in telemetry), and a queue with nobody signed in showed a made-up wait.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chatServiceRig } from '../helpers/chat-service-rig.js';
import type { ServiceEvent } from '../../plugins/chat/service.js';

const setup = chatServiceRig;

test('a closed terminal: shown as disconnected, resumable within the grace period, then abandoned and the agent freed', async (t) => {
  const { svc, store, published, advance } = await setup(t);
  await svc.agents.set({ id: 'a1', name: '小王', skills: ['invoice', 'general'], password: 'correct horse', capacity: 3 });
  await svc.agents.login('a1', 'correct horse');
  await svc.setAgentStatus('a1', 'online');
  const { conv } = await svc.open({ terminalId: 'kiosk-1' });
  let unlink = await svc.link(conv.id);
  await svc.customerMessage(conv.id, { text: '发票开错了怎么开红字发票' });
  await svc.requestHuman(conv.id);
  assert.deepEqual([(await svc.conversation(conv.id)).owner, svc.queue.agent('a1')?.load], ['agent', 1]);

  // the tab closes: the agent sees it, cannot accept a customer who is not there, the history stays
  await unlink();
  assert.ok((await svc.conversation(conv.id)).disconnectedAt);
  await assert.rejects(svc.accept('a1', conv.id), (e: { code: string }) => e.code === 'CHAT_CUSTOMER_GONE');
  advance(90_000);
  assert.equal(await svc.sweepAbandoned(), 0, 'within the grace period nothing closes');

  // the customer comes back (reload): same conversation, missed messages, and the agent can take it
  const seen = (await store.messages(conv.id)).at(-1)!.seq;
  const back = await svc.open({ terminalId: 'kiosk-1', convId: conv.id, lastSeq: seen - 1 });
  assert.equal(back.conv.id, conv.id);
  assert.deepEqual(back.messages.map((m) => m.seq), [seen]);
  unlink = await svc.link(conv.id);
  assert.equal((await svc.conversation(conv.id)).disconnectedAt, null);
  await svc.accept('a1', conv.id);

  // gone for good: closed as abandoned, capacity freed, telemetry no longer counts it, history kept
  await unlink();
  await unlink(); // idempotent
  advance(119_000);
  assert.equal(await svc.sweepAbandoned(), 0);
  advance(2_000);
  assert.equal(await svc.sweepAbandoned(), 1);
  const closed = await svc.conversation(conv.id);
  assert.deepEqual([closed.status, closed.closeReason], ['closed', 'abandoned']);
  assert.equal(svc.queue.agent('a1')?.load, 0);
  assert.equal(svc.stats().open, 0);
  assert.ok(svc.openConversations().every((c) => c.id !== conv.id));
  const history = await store.messages(conv.id);
  assert.ok(history.some((m) => m.kbId), 'the bot answer is still in the history');
  assert.match(history.at(-1)!.text ?? '', /客户已离开/);
  assert.ok(published.some((p) => p.type === 'closed' && (p.data as { reason?: string }).reason === 'abandoned'));
});

test('two tabs on one conversation: it is disconnected only when the last one closes; a waiting one leaves the queue', async (t) => {
  const { svc, advance } = await setup(t);
  const { conv } = await svc.open({ terminalId: 'kiosk-2' });
  const u1 = await svc.link(conv.id);
  const u2 = await svc.link(conv.id);
  await svc.requestHuman(conv.id);
  assert.equal(svc.queue.position(conv.id), 1);
  await u1();
  assert.ok(!(await svc.conversation(conv.id)).disconnectedAt);
  await u2();
  advance(121_000);
  assert.equal(await svc.sweepAbandoned(), 1);
  assert.equal(svc.queue.waiting().length, 0);
  assert.equal(svc.stats().waiting, 0);
});

test('after a restart nobody is connected: conversations whose customer never returns are abandoned', async (t) => {
  const { svc, make, advance } = await setup(t);
  const { conv: stays } = await svc.open({ terminalId: 'k-a' });
  const { conv: leaves } = await svc.open({ terminalId: 'k-b' });
  svc.stop();
  const again = make();
  await again.start();
  t.after(() => again.stop());
  await again.link(stays.id);
  advance(121_000);
  assert.equal(await again.sweepAbandoned(), 1);
  assert.equal((await again.conversation(leaves.id)).status, 'closed');
  assert.equal((await again.conversation(stays.id)).status, 'open');
});

test('with no agent signed in for the queue the customer gets no made-up wait, and the hours; once one signs in, an estimate', async (t) => {
  const { svc, events } = await setup(t);
  await svc.agents.set({ id: 'a1', name: '小王', skills: ['iit'], password: 'correct horse', capacity: 1 });
  await svc.agents.set({ id: 'a2', name: '小李', skills: ['invoice'], password: 'correct horse', capacity: 1 });
  const { conv } = await svc.open({ terminalId: 'k-q' });
  await svc.customerMessage(conv.id, { text: '发票开错了怎么开红字发票' });
  await svc.requestHuman(conv.id);
  const info = svc.queueInfo(conv.id);
  assert.equal(info.staffed, false);
  assert.match(info.hours.zh, /周一至周五 09:00-12:00、13:30-17:30/);
  assert.match(info.hours.en, /Mon–Fri 09:00-12:00, 13:30-17:30/);
  const q = events.filter((e) => e.type === 'queue').at(-1) as Extract<ServiceEvent, { type: 'queue' }>;
  assert.equal(q.staffed, false);
  // an agent of another skill (no overflow relation) does not count
  await svc.agents.login('a1', 'correct horse');
  await svc.setAgentStatus('a1', 'online');
  assert.equal(svc.queueInfo(conv.id).staffed, false);
  // an agent who could take it but is away: staffed, the estimate is real
  await svc.agents.login('a2', 'correct horse');
  await svc.setAgentStatus('a2', 'away');
  assert.equal(svc.queueInfo(conv.id).staffed, true);
  const last = events.filter((e) => e.type === 'queue').at(-1) as Extract<ServiceEvent, { type: 'queue' }>;
  assert.equal(last.staffed, true);
});

test('the 转人工 button is a structured request: the label in the page language is shown, the handoff happens', async (t) => {
  const { svc, store } = await setup(t);
  const { conv, messages } = await svc.open({ terminalId: 'k-en', lang: 'en' });
  assert.deepEqual(messages[0].texts?.en, messages[0].text);
  assert.match(messages[0].texts?.zh ?? '', /智能客服/);
  await svc.requestHuman(conv.id, 'Human agent');
  const c = await svc.conversation(conv.id);
  assert.equal(c.owner, 'queue');
  const lines = await store.messages(conv.id);
  assert.ok(lines.some((m) => m.from === 'customer' && m.text === 'Human agent'));
  assert.ok(!lines.some((m) => m.text === '转人工'));
  const sys = lines.find((m) => m.from === 'system')!;
  assert.deepEqual(sys.texts, { zh: '正在为您转接人工客服，请稍候…', en: 'Connecting you to a human agent…' });
});
