import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseKb } from '../../plugins/chat/ai/kb-schema.js';
import { createAnswerEngine } from '../../plugins/chat/ai/engine.js';
import { route, businessLabel, type RouterDeps } from '../../plugins/chat/router.js';
import { isOpen, resolveHours } from '../../plugins/chat/hours.js';
import type { Conversation } from '../../plugins/chat/model.js';

const engine = createAnswerEngine(parseKb(JSON.parse(readFileSync(new URL('../fixtures/faq/kb.json', import.meta.url), 'utf8'))));
const conv = (o: Partial<Conversation> = {}): Conversation => ({ id: 'c', terminalId: 't', customerId: 'u', lang: 'zh', owner: 'bot', status: 'open', business: null,
  queue: null, agentId: null, lastAgentId: null, createdAt: 0, updatedAt: 0, enqueuedAt: null, assignedAt: null, closedAt: null, lastSeq: 0, misses: 0,
  lastKbId: null, handoffReason: null, rating: null, ...o });
const deps = (o: Partial<RouterDeps> = {}): RouterDeps => ({ engine, businesses: engine.kb.businesses, modeOf: () => 'ai_first', humansOpen: () => true, ...o });

test('answer comes with the "solved?" buttons; English conversations get the English gloss', async () => {
  const r = await route(conv(), { text: '首套房契税多少' }, deps());
  assert.equal(r.replies[0].kbId, 'PRO-02');
  assert.deepEqual(r.replies[1].buttons!.map((b) => b.value), ['resolved', 'unresolved', 'human']);
  const en = await route(conv({ lang: 'en' }), { text: 'How do I pay deed tax on my first home?' }, deps());
  assert.equal(en.replies[0].kbId, 'PRO-02');
  assert.doesNotMatch(en.replies[0].text, /[\u4e00-\u9fff]/);
});

test('the bot is silent when a human owns the conversation', async () => {
  assert.deepEqual((await route(conv({ owner: 'agent' }), { text: '首套房契税多少' }, deps())).replies, []);
  assert.deepEqual((await route(conv({ owner: 'queue' }), { text: '转人工' }, deps())).handoff, undefined);
});

test('转人工 wins even in ai_only mode; ai_only refuses a menu handoff; kb: buttons answer directly', async () => {
  assert.equal((await route(conv({ business: 'invoice' }), { text: '转人工' }, deps({ modeOf: () => 'ai_only' }))).handoff?.business, 'invoice');
  const r = await route(conv(), { value: 'biz:invoice' }, deps({ modeOf: () => 'ai_only' }));
  assert.equal(r.handoff, undefined);
  assert.match(r.replies[0].text, /窗口/);
  assert.equal((await route(conv(), { value: 'kb:GEN-01' }, deps())).replies[0].kbId, 'GEN-01');
});

test('unresolved after an answer hands off to that business', async () => {
  const r = await route(conv({ business: 'refund', lastKbId: 'REF-01' }), { value: 'unresolved' }, deps());
  assert.deepEqual(r.handoff, { business: 'refund', reason: 'unresolved' });
});

test('business labels split into the language asked for', () => {
  assert.equal(businessLabel('发票业务 invoices', 'zh'), '发票业务');
  assert.equal(businessLabel('发票业务 invoices', 'en'), 'invoices');
});

test('business hours: weekday windows in the hall time zone, closed dates, presets', () => {
  const h = resolveHours('cn-default');
  assert.equal(isOpen(h, Date.UTC(2026, 0, 5, 2, 0)), true); // Mon 10:00 Shanghai
  assert.equal(isOpen(h, Date.UTC(2026, 0, 5, 4, 30)), false); // Mon 12:30 lunch
  assert.equal(isOpen(h, Date.UTC(2026, 0, 4, 2, 0)), false); // Sunday
  assert.equal(isOpen({ ...h, closedDates: ['2026-01-05'] }, Date.UTC(2026, 0, 5, 2, 0)), false);
  assert.equal(isOpen(resolveHours('always'), Date.UTC(2026, 0, 4, 20, 0)), true);
  assert.throws(() => resolveHours('nope'), /unknown business-hours preset/);
});

test('a near miss offers the closest entries before the business menu', async () => {
  // a wording the lexicon does not cover well enough to answer (its first example, 公司注册地址从高新区迁到经开区…, is now
  // answered with REG-02)
  const r = await route(conv(), { text: '我们公司从高新区迁到经开区了，还在本市，税务这块要跑什么' }, deps());
  assert.equal(r.handoff, undefined);
  const offered = r.replies.flatMap((x) => x.buttons ?? []).map((b) => b.value);
  assert.ok(offered.includes('kb:REG-02'), offered.join(','));
  assert.ok(offered.includes('biz:registration'));
});

test('chit-chat gets what the assistant is for, counts as no miss and hands nothing off', async () => {
  for (const [text, lang, re] of [['你好，在吗？', 'zh', /智能客服/], ['给我讲个笑话吧', 'zh', /帮不上忙/], ['Tell me a joke', 'en', /can't help/]] as const) {
    const r = await route(conv({ lang, misses: 1 }), { text }, deps());
    assert.equal(r.handoff, undefined, text);
    assert.match(r.replies[0].text, re, text);
    assert.equal(r.patch.misses, undefined, text);
  }
});

test('with the engine unavailable the customer is handed to a human of the conversation\'s business, with the reason', async () => {
  const down = { kb: engine.kb, ask: () => Promise.reject(Object.assign(new Error('the chat AI is unavailable: its thread exited (1)'), { code: 'CHAT_AI_UNAVAILABLE' })) };
  const r = await route(conv({ business: 'invoice' }), { text: '发票怎么领' }, deps({ engine: down }));
  assert.deepEqual(r.handoff, { business: 'invoice', reason: 'ai_unavailable' });
  assert.equal(r.error?.message, 'the chat AI is unavailable: its thread exited (1)');
  // out of hours the customer hears when humans are back instead
  const closed = await route(conv(), { text: '发票怎么领' }, deps({ engine: down, humansOpen: () => false }));
  assert.equal(closed.handoff, undefined);
  assert.match(closed.replies[0].text, /人工服务时间/);
});
