import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createAnswerEngine } from '../../plugins/chat/ai/engine.js';
import { parseKb, type KnowledgeBase } from '../../plugins/chat/ai/kb-schema.js';
import { loadPhrasingPacks } from '../../plugins/chat/ai/phrasings.js';
import { createThreadedEngine } from '../../plugins/chat/answerer/threaded-engine.js';
import { silentLogger } from '../../daemon/logger.js';
import { KefuError } from '../../protocol/errors.js';

const fixture = (f: string) => JSON.parse(readFileSync(new URL(`../fixtures/faq/${f}`, import.meta.url), 'utf8'));
const kb = parseKb(fixture('kb.json'));
const questions = (fixture('dev-cases.json').tests as Array<{ q: string }>).map((t) => t.q);
const FAULTY = new URL('../helpers/faulty-answer-thread.mjs', import.meta.url);
const code = (err: unknown) => (err instanceof KefuError ? err.code : String(err));

test('the engine on its thread answers every dev question exactly as the engine inline', async (t) => {
  const phrasings = await loadPhrasingPacks();
  const threaded = createThreadedEngine({ log: silentLogger(), phrasings });
  t.after(() => threaded.stop());
  await threaded.load(kb);
  const inline = createAnswerEngine(kb, undefined, { phrasings });
  const answers = await Promise.all(questions.map((q) => threaded.ask(q)));
  assert.equal(answers.length, questions.length);
  questions.forEach((q, i) => assert.deepEqual(answers[i], inline.ask(q), q));
});

test('a KB edit answers from the new KB; a KB that cannot be built is refused and the previous one kept', async (t) => {
  const threaded = createThreadedEngine({ log: silentLogger(), phrasings: [] });
  t.after(() => threaded.stop());
  await threaded.load(kb);
  const q = '首套房契税多少';
  const before = await threaded.ask(q);
  assert.equal(before.entry?.id, 'PRO-02');
  const without: KnowledgeBase = { ...kb, kb: kb.kb.filter((e) => e.id !== 'PRO-02') };
  await threaded.load(without);
  assert.notEqual((await threaded.ask(q)).entry?.id, 'PRO-02');
  assert.equal(threaded.kb, without);
  const broken = { ...kb, kb: null } as unknown as KnowledgeBase;
  await assert.rejects(threaded.load(broken), (err) => code(err) === 'CHAT_KB_BUILD_FAILED');
  assert.equal(threaded.kb, without, 'the KB that answers is still the last good one');
  assert.notEqual((await threaded.ask(q)).entry?.id, 'PRO-02');
});

test('a thread that exits or hangs fails its questions with CHAT_AI_UNAVAILABLE and is replaced, rebuilt from the last KB', async (t) => {
  const threaded = createThreadedEngine({ log: silentLogger(), phrasings: [], entry: FAULTY, askTimeoutMs: 3_000, respawnAfterMs: 300 });
  t.after(() => threaded.stop());
  await threaded.load(kb);
  const q = '首套房契税多少';
  assert.equal((await threaded.ask(q)).entry?.id, 'PRO-02');

  // an exit fails what was waiting behind it, and for a moment what is asked next (no respawn storm)
  const crash = threaded.ask('__exit__');
  const lost = threaded.ask(q);
  await assert.rejects(crash, (err) => code(err) === 'CHAT_AI_UNAVAILABLE');
  await assert.rejects(lost, (err) => code(err) === 'CHAT_AI_UNAVAILABLE');
  await assert.rejects(threaded.ask(q), (err) => code(err) === 'CHAT_AI_UNAVAILABLE' && /moments ago/.test((err as Error).message));
  await new Promise((r) => setTimeout(r, 400));
  assert.equal((await threaded.ask(q)).entry?.id, 'PRO-02', 'a new thread, rebuilt');

  // a stuck thread is given up after the timeout, and the next question gets a new one at once
  const began = performance.now();
  await assert.rejects(threaded.ask('__hang__'), (err) => code(err) === 'CHAT_AI_UNAVAILABLE' && /no reply/.test((err as Error).message));
  assert.ok(performance.now() - began < 10_000);
  assert.equal((await threaded.ask(q)).entry?.id, 'PRO-02');
});

test('questions before a KB is loaded or after stop are refused with CHAT_NOT_STARTED', async () => {
  const threaded = createThreadedEngine({ log: silentLogger(), phrasings: [] });
  await assert.rejects(threaded.ask('发票'), (err) => code(err) === 'CHAT_NOT_STARTED');
  await threaded.load(kb);
  await threaded.stop();
  await assert.rejects(threaded.ask('发票'), (err) => code(err) === 'CHAT_NOT_STARTED');
});
