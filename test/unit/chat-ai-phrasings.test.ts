import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { parseKb, type KnowledgeBase } from '../../plugins/chat/ai/kb-schema.js';
import { createAnswerEngine } from '../../plugins/chat/ai/engine.js';
import { loadJieba } from '../../plugins/chat/ai/text.js';
import { loadPhrasingPacks, withPhrasings, type PhrasingPack } from '../../plugins/chat/ai/phrasings.js';
import { ConfigError } from '../../protocol/errors.js';
import { tempDir } from '../helpers/tmp.js';

const kb = parseKb(JSON.parse(readFileSync(new URL('../fixtures/faq/kb.json', import.meta.url), 'utf8')));
const jieba = loadJieba();

test('the shipped packs are valid and know every question of the tax-hall KB', async () => {
  const packs = await loadPhrasingPacks();
  assert.ok(packs.length >= 1);
  const merged = withPhrasings(kb, packs);
  for (const e of merged.kb) assert.ok((e.alternates?.length ?? 0) >= 8, `${e.id} has phrasings`);
});

test('a pack attaches by the question\'s text, not the id; other entries and the operator\'s alternates stay', () => {
  const pack: PhrasingPack = { source: 't', entries: [{ id: 'X-9', question: '新办企业怎么申请领用发票', zh: ['刚开的公司咋拿票', '我的说法'], en: ['new firm, how to get fapiao'] }] };
  const own: KnowledgeBase = { ...kb, kb: kb.kb.map((e) => (e.id === 'INV-01' ? { ...e, id: 'A1', alternates: ['我的说法'] } : e)) };
  const merged = withPhrasings(own, [pack]);
  const a1 = merged.kb.find((e) => e.id === 'A1')!;
  assert.deepEqual(a1.alternates, ['我的说法', '刚开的公司咋拿票', 'new firm, how to get fapiao']);
  assert.equal(merged.kb.find((e) => e.id === 'INV-02')!.alternates, undefined);
});

test('the engine answers with the packs but keeps the operator\'s KB as it was (edits never save the packs)', async () => {
  const packs = await loadPhrasingPacks();
  const plain = createAnswerEngine(kb, undefined, { jieba });
  const phrased = createAnswerEngine(kb, undefined, { jieba, phrasings: packs });
  assert.deepEqual(phrased.kb, kb);
  // a customer's wording for closing a company: not in the packs verbatim, not in the KB's words nor the lexicon's
  // (公司关了 is a lexicon variant of 注销 公司, so the example says 打算关掉)
  const q = '公司打算关掉税务那边要跑哪些流程';
  assert.equal(plain.ask(q).decision, 'refuse');
  assert.equal(phrased.ask(q).entry?.id, 'REG-03');
});

test('coverage comes from the one phrasing that fits best, not from words scattered over many', () => {
  const tiny = parseKb({ businesses: { general: '综合 general', invoice: '发票 invoices' }, kb: [
    { id: 'G1', business: 'general', question: '办税服务厅几点开门？', answer: '工作日上午九点至下午五点。',
      alternates: ['大厅早上几点开', '周末开不开门', '中午休息吗', '节假日上班吗', '几点关门', '晚上能办吗', '早上排队要早来吗', '下午几点下班', '过年开门吗'] },
    { id: 'I1', business: 'invoice', question: '发票怎么查验真伪？', answer: '登录全国增值税发票查验平台查验。' },
  ] });
  const e = createAnswerEngine(tiny, undefined, { jieba });
  const fits = e.ask('大厅早上几点开');
  assert.equal(fits.entry?.id, 'G1');
  assert.ok(fits.coverage > 0.9, `one phrasing says it all: ${fits.coverage}`);
  // each word is in some phrasing, no phrasing has most of them: not a question about opening hours
  const scattered = e.ask('周末中午排队过年');
  assert.ok(scattered.coverage < fits.coverage, `${scattered.coverage}`);
});

test('a broken pack is a config error naming the file and the path', async (t) => {
  const dir = await tempDir(t);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'bad.json'), JSON.stringify({ source: 'x', entries: [{ id: 'A', question: '', zh: [], en: [] }] }));
  await assert.rejects(loadPhrasingPacks(dir), (err: unknown) => err instanceof ConfigError && /bad\.json: entries\.0\.question/.test(String((err as ConfigError).message)));
});
