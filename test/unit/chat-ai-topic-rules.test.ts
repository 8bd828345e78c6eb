// The ninth round's classes of topic and folding rules, each in wording of its own (not the case sets').
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseKb } from '../../plugins/chat/ai/kb-schema.js';
import { createAnswerEngine } from '../../plugins/chat/ai/engine.js';
import { namesTerm } from '../../plugins/chat/ai/topic-index.js';
import { asksAboutTax } from '../../plugins/chat/ai/asked-facets.js';
import { loadPhrasingPacks } from '../../plugins/chat/ai/phrasings.js';

const kb = parseKb(JSON.parse(readFileSync(new URL('../fixtures/faq/kb.json', import.meta.url), 'utf8')));
const engine = createAnswerEngine(kb);
// as the product runs: with the phrasing packs
const phrased = createAnswerEngine(kb, undefined, { phrasings: await loadPhrasingPacks() });

test('an English topic term is named only as a whole word: city is no CIT, private no VAT', () => {
  assert.equal(namesTerm('we run a private kindergarten', 'vat'), false);
  assert.equal(namesTerm('our electricity supplier in the city', 'cit'), false);
  assert.equal(namesTerm('is it advisable to file early', 'visa'), false);
  assert.equal(namesTerm('do we charge vat on it', 'vat'), true);
  assert.equal(namesTerm('two visas for my parents', 'visa'), true);
  assert.equal(namesTerm('发票', '发票'), true);
  const r = engine.ask('We are selling our flat near the city centre; what taxes do sellers owe?');
  assert.notEqual(r.reason, 'other_topic');
  assert.equal(r.entry?.id, 'PRO-01');
});

test('a variant does not fold across a word of the KB: 有个税务问题 names no 个人所得税', () => {
  assert.doesNotMatch(engine.ask('我妈有个税务上的手续，我替她跑一趟要带什么').normalized, /个人所得税/);
  assert.doesNotMatch(engine.ask('有个税务方面的疑问想打电话问').normalized, /个人所得税/);
  // where 个税 is the customer's word it still folds
  assert.match(engine.ask('我的个税汇算怎么弄').normalized, /个人所得税/);
  assert.equal(engine.ask('我妈有个税务上的手续要我替她来办，要带什么材料').entry?.id, 'GEN-04');
});

test('homophone repair leaves two characters of grammar alone: 不交 is no 补缴, 所的 no 所得', () => {
  assert.doesNotMatch(engine.ask('营业额低的个体户是不是可以不交').normalized, /补缴/);
  assert.doesNotMatch(engine.ask('会计师事务所的人要看往年的申报表').normalized, /所得/);
  assert.doesNotMatch(engine.ask('周六没约能来办事吗').normalized, /每月/);
  // a typo of a KB word is still repaired, and a longer span with a particle too
  assert.match(engine.ask('发漂开错了怎么办').normalized, /发票/);
});

test('a tax named beside a procedure for every tax is answered by the entry that names no tax; whether it is owed is not', () => {
  assert.equal(engine.ask('印花税申报表提交后发现填错了，还能更正吗').entry?.id, 'DEC-04');
  assert.equal(engine.ask('We overpaid stamp duty last year, how do we get it back?').entry?.id, 'REF-01');
  assert.equal(engine.ask('企业所得税的申报表以前报过的怎么打印').entry?.id, 'CER-04');
  // an entry that speaks of no tax at all (bringing papers for someone else) is no procedure for every tax: see
  // chat-ai-engine.test.ts, 企业所得税汇算清缴要准备什么资料
  // the tax is the subject: owed or waived
  for (const q of ['出口的货物免增值税吗', 'Are exported goods exempt from VAT?']) assert.notEqual(engine.ask(q).decision, 'answer', q);
  assert.equal(asksAboutTax('卖给国外的货物用不用交增值税', true, '增值税'), true);
  assert.equal(asksAboutTax('增值税要交吗', true, '增值税'), true);
  assert.equal(asksAboutTax('去年重复缴了一笔印花税能退吗', true, '印花税'), false);
  assert.equal(asksAboutTax('补缴增值税要滞纳金吗', true, '增值税'), false);
  assert.equal(asksAboutTax('do we have to pay vat on exports', false, 'vat'), true);
  assert.equal(asksAboutTax('i made a mistake on my vat return', false, 'vat'), false);
});

test('a tax that only qualifies what is asked may be answered by an entry that names it in passing; the tax itself may not', () => {
  // the refund entry names 个人所得税 only in its answer; its phrasings tell the subject in customers' words
  assert.equal(phrased.ask('我的个税退款显示退库失败了咋办').entry?.id, 'REF-04');
  // the tax is what is asked: how to pay or file it, whether it is owed (卖房子要不要交印花税 is the home-sale entry's own subject)
  for (const q of ['企业所得税按季度预缴怎么填', '印花税到哪交']) assert.notEqual(phrased.ask(q).decision, 'answer', q);
  assert.equal(asksAboutTax('印花税到哪交', true, '印花税'), true);
  assert.equal(asksAboutTax('在哪里交车船税', true, '车船税'), true);
  assert.equal(asksAboutTax('个人所得税退税多久到账', true, '个人所得税'), false);
});

test("another department's word beside a tax matter is the customer's situation, not the business asked about", () => {
  const visa = phrased.ask('The embassy wants a record of the personal income tax I paid, for my visa. Where do I get it?');
  assert.equal(visa.entry?.id, 'CER-02');
  // a retired worker asking for an invoice is routed to the invoice desk, not to social insurance
  assert.equal(phrased.ask('我是退休的老工人，帮人修了几天房子，人家要发票，我个人去哪开').business, 'invoice');
  // the other department's own business still goes there
  const retire = phrased.ask('退休手续去哪里办');
  assert.notEqual(retire.decision, 'answer');
  assert.equal(retire.business, 'social_insurance');
  assert.notEqual(phrased.ask('退休手续在税务局办吗').decision, 'answer');
});

test('an errand is judged off topic on the customer\'s own words: 会计 folds to 办税员 but is no hall business', () => {
  assert.equal(engine.ask('帮我介绍一个靠谱的会计').reason, 'off_topic');
  assert.notEqual(engine.ask('推荐一下附近哪里能领发票').reason, 'off_topic');
});

test('an English rate is asked and stated as a whole word: a credit rating states no rate', () => {
  // the retained-credit refund answer speaks of a credit rating, and no tax rate
  assert.equal(engine.ask('What percentage rate of VAT applies to consulting fees?').reason, 'facet_not_stated');
  assert.notEqual(engine.ask('Which credit rating does a company need for a retained VAT credit refund?').reason, 'facet_not_stated');
});

test('a rate asked as 几个点 or 百分之几 is a rate: answered only where one is stated', () => {
  assert.equal(engine.ask('个人去代开发票，增值税一般按百分之几收').reason, 'facet_not_stated');
  assert.equal(engine.ask('第一套房契税按几个点交').entry?.id, 'PRO-02');
});

test('汇算一下 is the annual reconciliation, not a calculation asked for; 没人管账 is no complaint', () => {
  assert.notEqual(engine.ask('今年头一回自己汇算一下，在手机上怎么弄').reason, 'personal_calculation');
  assert.equal(engine.ask('帮我算一下年终奖要交多少税').reason, 'personal_calculation');
  assert.notEqual(engine.ask('出纳辞职了没人管账，这个月还没报税怎么办').reason, 'complaint');
  assert.equal(engine.ask('打了三次电话都没人管').reason, 'complaint');
});

test('a child\'s schooling is the customer\'s purpose as often as the deduction: it is not folded into 子女教育', () => {
  assert.equal(engine.ask('孩子上学报名，学校要我交个税的证明，去哪打').entry?.id, 'CER-02');
  assert.equal(engine.ask('孩子上学的那项扣除在个税app哪里填').entry?.id, 'IIT-01');
});

test('the English gloss does not decide whether an entry is a procedure for every tax; the customer\'s tax word survives folding', () => {
  // the export-rebate entry's gloss speaks of customs clearance, which is no customs duty
  assert.equal(phrased.ask('Our factory exports machinery; how do we claim the VAT back on those sales?').entry?.id, 'REF-03');
  // 'unpaid taxes' folds to 'arrears': still a tax matter beside the bank loan
  assert.equal(engine.ask('For a bank loan we must show we have no unpaid taxes. Which certificate is that and how do we apply?').entry?.id, 'CER-03');
});

test('money the customer is owed is a refund, not arrears', () => {
  assert.doesNotMatch(engine.ask("I think I'm owed a little from last year's salary tax, how do I claim it?").normalized, /arrears/);
  assert.match(engine.ask('I still owe tax from last year').normalized, /arrears/);
});

test('English: where the hall is, and where to leave the car, are the location and parking question', () => {
  assert.equal(engine.ask("where's the tax bureau? I'm coming by car and need to leave my car somewhere").entry?.id, 'GEN-02');
  assert.equal(engine.ask('where is your tax office').entry?.id, 'GEN-02');
  assert.equal(engine.ask('where is the service hall').entry?.id, 'GEN-02');
});

test('the bank\'s own business (its hours, loans, interest rates) is another office\'s; a refund card is the hall\'s', () => {
  for (const q of ['请问银行几点下班', '银行贷款怎么申请', '存款利率是多少']) assert.notEqual(engine.ask(q).decision, 'answer', q);
  assert.equal(engine.ask('退税显示失败，银行卡填错了怎么办').entry?.id, 'REF-04');
  assert.equal(engine.ask('去银行贷款要开无欠税证明，在哪开').entry?.id, 'CER-03');
});

test('no income said with a word between (没什么业务, 生意都没有) and 填零 are the zero return', () => {
  assert.equal(engine.ask('店里这半年没啥生意，每个月还得报税吗').entry?.id, 'DEC-02');
  assert.match(engine.ask('公司一单业务都没有，申报表是不是全填零').normalized, /零申报/);
});

test('English: a missed filing keeps its filing when folded (not a bare "late" that every late-fee answer shares)', () => {
  assert.match(engine.ask('We filed late for March, what now?').normalized, /late filing/);
  assert.equal(phrased.ask('our company missed the tax deadline in May, what happens?').entry?.id, 'DEC-03');
});

test('the staff\'s own pay and work are chit-chat; the customer\'s salary with a tax named is a question', () => {
  assert.equal(engine.ask('你们这儿待遇怎么样').reason, 'off_topic');
  assert.equal(engine.ask('你们上班累不累').reason, 'off_topic');
  assert.notEqual(engine.ask('你们单位发的工资多少要交个税').reason, 'off_topic');
});

test('getting a business licence is market regulation\'s; having just got one is where the tax hall starts', () => {
  const r = engine.ask('想开个小饭店，营业执照去哪里办');
  assert.notEqual(r.decision, 'answer');
  assert.equal(r.business, 'registration');
  assert.equal(engine.ask('刚领了营业执照，税务上要办什么').entry?.id, 'REG-01');
});

test('an individual\'s tax certificate (个人纳税证明) is the personal tax record, not the company\'s 完税证明', () => {
  assert.match(engine.ask('出国签证要一份个人的纳税证明').normalized, /纳税记录/);
  assert.equal(engine.ask('单位让我交一份个人完税证明，怎么开').entry?.id, 'CER-02');
});

test('the invoicing limit in other words (开票上限, 发票上限) is the invoice quota', () => {
  assert.equal(phrased.ask('开票上限能提吗').entry?.id, 'INV-04');
  assert.match(engine.ask('发票上限太低了，能申请调高点吗').normalized, /额度/);
});

test('English "where is my …" asks for the progress of the customer\'s own thing, not for a place', () => {
  assert.match(engine.ask("where's my IIT refund? it's been three weeks").normalized, /^track/);
  assert.equal(phrased.ask("where's my IIT refund? it's been three weeks").entry?.id, 'REF-04');
});
