// The chat plugin through its real endpoints: terminal and agent WebSockets, KB REST, commands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile } from 'node:fs/promises';
import { WebSocket } from 'ws';
import chat from '../../plugins/chat/index.js';
import { createPluginHarness } from '../helpers/plugin-harness.js';
import { tempDir } from '../helpers/tmp.js';

type Msg = Record<string, any>;

function client(url: string) {
  const ws = new WebSocket(url);
  const inbox: Msg[] = [];
  const waiters: Array<{ pred: (m: Msg) => boolean; resolve: (m: Msg) => void }> = [];
  ws.on('message', (raw) => {
    const m = JSON.parse(String(raw));
    inbox.push(m);
    for (const w of [...waiters]) if (w.pred(m)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(m); }
  });
  const opened = new Promise<void>((res, rej) => { ws.once('open', () => res()); ws.once('error', rej); });
  return {
    ws, inbox, opened,
    send: (m: Msg) => ws.send(JSON.stringify(m)),
    /** resolves with the first message (already received or future) matching pred */
    next(pred: (m: Msg) => boolean, ms = 10_000): Promise<Msg> {
      const seen = inbox.find(pred);
      if (seen) { inbox.splice(inbox.indexOf(seen), 1); return Promise.resolve(seen); }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timeout waiting; got ${JSON.stringify(inbox.slice(-5))}`)), ms);
        waiters.push({ pred, resolve: (m) => { clearTimeout(timer); inbox.splice(inbox.indexOf(m), 1); resolve(m); } });
      });
    },
    close: () => new Promise<void>((res) => { if (ws.readyState === ws.CLOSED) res(); else { ws.once('close', () => res()); ws.close(); } }),
  };
}

test('terminal ↔ bot ↔ agent over WebSocket, rating, reconnect, KB editing', async (t) => {
  const dir = await tempDir(t);
  const kbPath = `${dir}/kb.json`;
  await copyFile(new URL('../fixtures/faq/kb.json', import.meta.url), kbPath);
  const h = await createPluginHarness(t, chat, { kb: kbPath, businessHours: 'always', queue: { tickMs: 100 },
    agents: [{ id: 'boss', name: '李主管', skills: ['invoice', 'general'], role: 'supervisor', passwordFile: '/secret/boss' }] },
  { watchBus: ['archive.record'], secrets: { '/secret/boss': 'super-secret-1' } });
  const wsBase = h.baseUrl.replace(/^http/, 'ws');
  await h.command('chat.agent.set', { id: 'a1', name: '小王', skills: ['invoice'], password: 'agent-pass-1' });

  const term = client(`${wsBase}/p/chat/ws/terminal`);
  t.after(() => term.close());
  await term.opened;
  term.send({ t: 'hello', terminalId: 'kiosk-7', customerId: 'cust-9' });
  const welcome = await term.next((m) => m.t === 'welcome');
  assert.equal(welcome.conv.owner, 'bot');
  assert.equal(welcome.messages[0].from, 'bot');

  term.send({ t: 'msg', text: '收到的发票怎么查验真伪' });
  const answer = await term.next((m) => m.t === 'msg' && m.m.kbId);
  assert.equal(answer.m.kbId, 'INV-05');

  term.send({ t: 'human' });
  const queued = await term.next((m) => m.t === 'queue');
  assert.equal(queued.position, 1);
  assert.ok(queued.etaSec > 0);

  const agent = client(`${wsBase}/p/chat/ws/agent`);
  t.after(() => agent.close());
  await agent.opened;
  agent.send({ t: 'login', agentId: 'a1', password: 'nope' });
  assert.equal((await agent.next((m) => m.t === 'error')).code, 'CHAT_LOGIN_FAILED');
  agent.send({ t: 'login', agentId: 'a1', password: 'agent-pass-1' });
  await agent.next((m) => m.t === 'hello');
  const offered = await agent.next((m) => m.t === 'state' && m.mine.length === 1);
  const convId = offered.mine[0].id;
  agent.send({ t: 'accept', convId });
  const hist = await agent.next((m) => m.t === 'history');
  assert.equal(hist.context.customerId, 'cust-9');
  assert.ok(hist.messages.some((m: Msg) => m.kbId === 'INV-05'));
  await term.next((m) => m.t === 'conv' && m.conv.owner === 'agent' && m.conv.status === 'active');

  agent.send({ t: 'msg', convId, text: '您好，我是小王' });
  await term.next((m) => m.t === 'msg' && m.m.from === 'agent' && m.m.text === '您好，我是小王');
  term.send({ t: 'typing' });
  await agent.next((m) => m.t === 'typing' && m.convId === convId);
  term.send({ t: 'msg', text: '谢谢' });
  const inAgent = await agent.next((m) => m.t === 'msg' && m.m.from === 'customer' && m.m.text === '谢谢');

  // reconnect: a new socket with the last seen seq gets exactly what came after
  await term.close();
  agent.send({ t: 'msg', convId, text: '还在吗？' });
  await agent.next((m) => m.t === 'msg' && m.m.text === '还在吗？');
  const term2 = client(`${wsBase}/p/chat/ws/terminal`);
  t.after(() => term2.close());
  await term2.opened;
  term2.send({ t: 'hello', terminalId: 'kiosk-7', convId, lastSeq: inAgent.m.seq });
  const back = await term2.next((m) => m.t === 'welcome');
  assert.equal(back.conv.id, convId);
  assert.deepEqual(back.messages.map((m: Msg) => m.text), ['还在吗？']);

  agent.send({ t: 'close', convId });
  await term2.next((m) => m.t === 'rate_request');
  await term2.next((m) => m.t === 'conv' && m.conv.owner === 'bot');
  term2.send({ t: 'rate', level: 2, comment: '太慢' });
  await term2.next((m) => m.t === 'rated');

  // the supervisor sees the follow-up task and may edit the KB with its session token
  const boss = client(`${wsBase}/p/chat/ws/agent`);
  t.after(() => boss.close());
  await boss.opened;
  boss.send({ t: 'login', agentId: 'boss', password: 'super-secret-1' });
  const hello = await boss.next((m) => m.t === 'hello');
  const withTask = await boss.next((m) => m.t === 'state' && m.tasks.length === 1);
  assert.equal(withTask.tasks[0].level, 2);

  const put = (auth?: string) => fetch(`${h.baseUrl}/p/chat/api/kb/entries/GEN-99`, { method: 'PUT', headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
    body: JSON.stringify({ business: 'general', question: '大厅有没有免费无线网络？', answer: '有，连接 TAX-FREE 即可。', alternates: ['大厅wifi密码是多少'] }) });
  assert.equal((await put()).status, 403);
  assert.equal((await put(hello.token)).status, 200);
  const ask = await (await fetch(`${h.baseUrl}/p/chat/api/ask`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ q: '大厅wifi密码' }) })).json();
  assert.equal(ask.entry.id, 'GEN-99');
  assert.deepEqual(await h.command('chat.kb.reload'), { entries: 41 });

  assert.ok(h.published.some((p) => p.type === 'message'));
  assert.ok(h.published.some((p) => p.type === 'followup'));
  assert.ok(h.busEvents.some((e) => (e.payload as { kind: string }).kind === 'chat.rating'));
  const health = await h.instance.health!();
  assert.equal(health.ok, true);
});

test('the web apps and shared assets are served; without a kb setting the sample is seeded into dataDir', async (t) => {
  const h = await createPluginHarness(t, chat, {});
  assert.equal((await h.command('chat.ask', { q: '办税服务厅几点上班' }) as { entry: { id: string } }).entry.id, 'GEN-01');
  for (const path of ['/p/chat/terminal.html', '/p/chat/agent.html', '/_common/kefu.css']) {
    const r = await fetch(`${h.baseUrl}${path}`);
    assert.equal(r.status, 200, path);
  }
});

test('an agent escalates to video over the bus: unavailable, refused, started and rejoined, declined, ended; the end note follows the answer', { timeout: 60_000 }, async (t) => {
  const dir = await tempDir(t);
  await copyFile(new URL('../fixtures/faq/kb.json', import.meta.url), `${dir}/kb.json`);
  const h = await createPluginHarness(t, chat, { kb: `${dir}/kb.json`, businessHours: 'always', queue: { tickMs: 100 } });
  const wsBase = h.baseUrl.replace(/^http/, 'ws');
  await h.command('chat.agent.set', { id: 'a1', name: '小王', skills: ['general', 'invoice'], password: 'agent-pass-1' });
  const term = client(`${wsBase}/p/chat/ws/terminal`);
  t.after(() => term.close());
  await term.opened;
  term.send({ t: 'hello', terminalId: 'kiosk-9', customerId: 'cust-1' });
  await term.next((m) => m.t === 'welcome');
  term.send({ t: 'human' });
  const agent = client(`${wsBase}/p/chat/ws/agent`);
  t.after(() => agent.close());
  await agent.opened;
  agent.send({ t: 'login', agentId: 'a1', password: 'agent-pass-1' });
  const convId = (await agent.next((m) => m.t === 'state' && m.mine.length === 1)).mine[0].id;
  agent.send({ t: 'video', convId });
  assert.equal((await agent.next((m) => m.t === 'error')).code, 'CHAT_NOT_YOURS', 'not before accepting');
  agent.send({ t: 'accept', convId });
  await agent.next((m) => m.t === 'history');

  // no video plugin on the bus yet
  agent.send({ t: 'video', convId });
  assert.equal((await agent.next((m) => m.t === 'error', 8000)).code, 'CHAT_VIDEO_UNAVAILABLE');

  // the video side, as the video plugin answers on the bus: first full, then a call
  const requests: Array<Record<string, unknown>> = [];
  h.bus.on('video.call.request', 'fake-video', (r) => {
    requests.push(r as never);
    if (requests.length === 1) { h.bus.emit('video.call.refused', { requestId: r.requestId!, conversationId: r.conversationId, code: 'TOO_MANY_CALLS', message: 'at most 1 calls at once' }); return; }
    const callId = `call-${requests.length - 1}`;
    h.bus.emit('video.call.created', { callId, room: 'call-r', conversationId: r.conversationId ?? null, requestId: r.requestId ?? null,
      joinPath: `/p/video/call.html?call=${callId}&room=call-r&role=agent`, invited: r.terminals ?? [] });
  });
  agent.send({ t: 'video', convId });
  assert.equal((await agent.next((m) => m.t === 'error')).code, 'TOO_MANY_CALLS');
  agent.send({ t: 'video', convId });
  const call = await agent.next((m) => m.t === 'call');
  assert.equal(call.callId, 'call-1');
  assert.match(call.joinPath, /call=call-1/);
  assert.deepEqual(requests[1]!.terminals, ['kiosk-9']);
  assert.equal(requests[1]!.agentId, 'a1');
  await term.next((m) => m.t === 'msg' && m.m.from === 'system' && /视频通话/.test(m.m.text));
  agent.send({ t: 'video', convId });
  assert.equal((await agent.next((m) => m.t === 'call')).callId, 'call-1', 'asking again rejoins the same call');
  assert.equal(requests.length, 2);

  h.bus.emit('video.call.invite', { callId: 'call-1', conversationId: convId, terminal: 'kiosk-9', answer: 'declined' });
  await agent.next((m) => m.t === 'call_declined');
  await term.next((m) => m.t === 'msg' && m.m.from === 'system' && /暂未接听/.test(m.m.text));
  h.bus.emit('video.call.ended', { callId: 'call-1', room: 'call-r', conversationId: convId, reason: 'agent_left', durationS: 42 });
  await agent.next((m) => m.t === 'call_ended');
  // a declined call has no duration to tell: nothing is noted at its end (the terminal's messages arrive in order, so
  // an end note would be in before the next invitation's)
  const ended42 = (m: any) => m.t === 'msg' && m.m.from === 'system' && /视频通话已结束（42 秒）/.test(m.m.text);
  agent.send({ t: 'video', convId });
  await agent.next((m) => m.t === 'call' && m.callId === 'call-2');
  await term.next((m) => m.t === 'msg' && m.m.from === 'system' && /邀请您进行视频通话/.test(m.m.text));
  assert.ok(!term.inbox.some(ended42), 'no "ended (42 s)" for a call the customer declined');
  h.bus.emit('video.call.invite', { callId: 'call-2', conversationId: convId, terminal: 'kiosk-9', answer: 'accepted' });
  h.bus.emit('video.call.ended', { callId: 'call-2', room: 'call-r', conversationId: convId, reason: 'agent_left', durationS: 42 });
  await term.next(ended42);
  // never answered: the invitation is withdrawn
  agent.send({ t: 'video', convId });
  await agent.next((m) => m.t === 'call' && m.callId === 'call-3');
  h.bus.emit('video.call.ended', { callId: 'call-3', room: 'call-r', conversationId: convId, reason: 'agent_left', durationS: 7 });
  await term.next((m) => m.t === 'msg' && m.m.from === 'system' && /邀请已取消/.test(m.m.text));
});
