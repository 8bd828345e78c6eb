// The learned prior: a softmax model over the engine's tokens, taught by the packs' phrasings and labelled customer
// questions (asked, out_of_scope), and the tools that make and hold out such packs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { parseKb } from '../../plugins/chat/ai/kb-schema.js';
import { createAnswerEngine } from '../../plugins/chat/ai/engine.js';
import { trainSoftmax } from '../../plugins/chat/ai/softmax-model.js';
import { askedExamples, loadPhrasingPacks, packFromCases, withoutQuestions, type PhrasingPack } from '../../plugins/chat/ai/phrasings.js';
import { evalCasesSchema } from '../../plugins/chat/ai/evaluate.js';
import { ConfigError } from '../../protocol/errors.js';

const fixtures = new URL('../fixtures/faq/', import.meta.url);
const kb = parseKb(JSON.parse(readFileSync(new URL('kb.json', fixtures), 'utf8')));
const argmax = (p: Float64Array) => p.indexOf(Math.max(...p));

test('the model learns which features point at which class, the same way every time', () => {
  const data = [
    ...['a b', 'a x', 'b y', 'a b z'].map((s) => ({ features: s.split(' '), label: 0 })),
    ...['c d', 'c x', 'd y', 'c d z'].map((s) => ({ features: s.split(' '), label: 1 })),
    ...['e', 'e x', 'e y'].map((s) => ({ features: s.split(' '), label: 2 })),
  ];
  const m = trainSoftmax(data, 3);
  for (const [q, want] of [['a', 0], ['d x', 1], ['e z', 2]] as const) {
    const p = m.predict(q.split(' '));
    assert.equal(argmax(p), want, q);
    assert.ok(Math.abs(p.reduce((s, v) => s + v, 0) - 1) < 1e-9, 'probabilities sum to 1');
  }
  assert.ok(m.predict(['a', 'b'])[0] > 0.8);
  // words it never saw say nothing: every class equally likely
  const unknown = m.predict(['q', 'r']);
  assert.ok(unknown.every((v) => Math.abs(v - 1 / 3) < 1e-9), `${unknown}`);
  assert.deepEqual(trainSoftmax(data, 3).predict(['a', 'x']), m.predict(['a', 'x']));
});

test('a KB with many classes trains sparsely, in little time, and still tells its classes apart', () => {
  const classes = 3000; // 6,000 features x 3,000 classes is beyond the dense budget
  const data = Array.from({ length: classes }, (_, c) => [
    { features: [`u${c}`, `v${c}`, 'common'], label: c },
    { features: [`u${c}`, 'common'], label: c },
  ]).flat();
  const t0 = performance.now();
  const m = trainSoftmax(data, classes);
  const ms = performance.now() - t0;
  assert.ok(ms < 10_000, `trained in ${Math.round(ms)} ms`);
  for (const c of [0, 1234, 2999]) assert.equal(argmax(m.predict([`v${c}`, 'common'])), c);
});

test('asked questions teach the engine a wording, out-of-scope ones a refusal; the KB\'s own answers stay', () => {
  const tiny = parseKb({ businesses: { general: '综合 general', invoice: '发票 invoices' }, kb: [
    { id: 'G1', business: 'general', question: '办税服务厅几点开门？', answer: '工作日上午九点至下午五点。' },
    { id: 'G2', business: 'general', question: '办税服务厅在哪里？能停车吗？', answer: '人民路1号，有地下停车场。' },
    { id: 'I1', business: 'invoice', question: '发票怎么查验真伪？', answer: '登录全国增值税发票查验平台查验。' },
    { id: 'I2', business: 'invoice', question: '发票开错了怎么作废？', answer: '当月作废，跨月开红字发票。' },
  ] });
  const pack: PhrasingPack = { source: 't', entries: [
    { id: 'other-numbering', question: '发票怎么查验真伪', asked: ['供应商给的票靠不靠谱怎么看', '这张票是不是假的', '票的真假去哪儿验', '怕收到假票'] },
  ], out_of_scope: ['大厅有没有充电宝租', '大厅能给手机充电吗', '哪里可以给手机充电', '大厅有没有饮水机', '大厅哪里有厕所'] };
  const plain = createAnswerEngine(tiny);
  const taught = createAnswerEngine(tiny, undefined, { phrasings: [pack] });
  assert.notEqual(plain.ask('供应商的票靠谱吗').decision, 'answer');
  assert.equal(taught.ask('供应商的票靠谱吗').entry?.id, 'I1');
  assert.notEqual(plain.ask('大厅有充电的地方吗').reason, 'learned_out_of_scope');
  const charging = taught.ask('大厅有充电的地方吗');
  assert.equal(charging.decision, 'refuse');
  assert.equal(charging.reason, 'learned_out_of_scope');
  for (const [q, id] of [['办税服务厅几点开门', 'G1'], ['大厅在哪', 'G2'], ['发票开错了', 'I2']]) assert.equal(taught.ask(q).entry?.id, id, q);
  // asked questions never become phrasings: the operator's KB and the entries' alternates are untouched
  assert.deepEqual(taught.kb, tiny);
});

test('a pack made of labelled cases: grouped by the entry\'s question, duplicates once, unknown entries refused', () => {
  const pack = packFromCases(kb, [
    { q: '发票丢了咋办', expect_id: null },
    { q: '新公司怎么领票', expect_id: 'INV-01' },
    { q: '新公司怎么领票？', expect_id: 'INV-01' },
    { q: 'How does a new company get fapiao', expect_id: 'INV-01' },
    { q: '大厅几点开', expect_id: 'GEN-01' },
  ], 'test');
  assert.deepEqual(pack.entries.map((e) => [e.question, e.asked]), [
    ['新办企业怎么申请领用发票？', ['新公司怎么领票', 'How does a new company get fapiao']],
    ['办税服务厅几点上班？周末开门吗？', ['大厅几点开']],
  ]);
  assert.deepEqual(pack.out_of_scope, ['发票丢了咋办']);
  assert.deepEqual(askedExamples(kb, [pack]).map((x) => x.id), ['INV-01', 'INV-01', 'GEN-01', null]);
  assert.throws(() => packFromCases(kb, [{ q: 'x', expect_id: 'NOPE-1' }], 't'), (e) => e instanceof ConfigError && /NOPE-1/.test(e.issues[0]));
});

test('held-out questions leave every list of every pack, compared as punctuation- and width-blind keys', () => {
  const packs: PhrasingPack[] = [{ source: 't', entries: [{ id: 'a', question: 'q', zh: ['新公司 领票', '别的'], en: ['New firm, fapiao?'], asked: ['新公司怎么领票'] }], out_of_scope: ['发票丢了咋办', '留下'] }];
  const [p] = withoutQuestions(packs, ['新公司领票', 'new firm fapiao', '新公司怎么领票？', '发票丢了咋办！']);
  assert.deepEqual(p.entries[0].zh, ['别的']);
  assert.deepEqual(p.entries[0].en, []);
  assert.deepEqual(p.entries[0].asked, []);
  assert.deepEqual(p.out_of_scope, ['留下']);
});

test('the shipped asked pack is exactly what kefu ai pack makes of the fixture sets', async () => {
  const files = readdirSync(fixtures).filter((f) => f.endsWith('-cases.json')).sort();
  const cases = files.flatMap((f) => evalCasesSchema.parse(JSON.parse(readFileSync(new URL(f, fixtures), 'utf8'))).tests);
  const shipped = (await loadPhrasingPacks()).find((p) => (p.entries[0].asked?.length ?? 0) > 0);
  assert.ok(shipped, 'plugins/chat/phrasings/asked.json is loaded');
  const made = packFromCases(kb, cases, shipped.source);
  assert.deepEqual(shipped.entries.map((e) => e.asked), made.entries.map((e) => e.asked), 'regenerate: see README (kefu ai pack)');
  assert.deepEqual(shipped.out_of_scope, made.out_of_scope);
});

test('words tied between two entries: the learned prior picks one of the two when it leads with it clearly', async () => {
  // customers' questions (holdout55/61/62, held out of the packs as kefu ai eval does) whose words tie a sibling
  // with the entry that answers them; the prior, taught by other customers, leads with the right one
  const tied: Array<[string, string, string]> = [
    ['铺面生意黄了打算歇业，想把执照彻底注销，税上头得先清哪些账？', 'REG-03', 'REG-01'],
    ['会计小王离职了，新来的小李要用电子税务局报税，得怎么给她开权限？', 'ETX-02', 'ETX-01'],
    ['Made a typo in the VAT return I filed this morning, haven\'t paid it. Is there a way to scrap it and refile?', 'DEC-04', 'DEC-02'],
  ];
  const engine = createAnswerEngine(kb, undefined, { phrasings: withoutQuestions(await loadPhrasingPacks(), tied.map(([q]) => q)) });
  for (const [q, id, sibling] of tied) {
    const r = engine.ask(q);
    assert.equal(r.entry?.id, id, `${q}: ${r.decision} (${r.reason})`);
    assert.ok(r.candidates.some((c) => c.id === sibling), `${q}: ${sibling} was in the running`);
  }
});
