// The tenth round's classes, each in wording of its own (not the case sets'): details an entry does not state, and
// long questions judged on the clause that asks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseKb } from '../../plugins/chat/ai/kb-schema.js';
import { createAnswerEngine } from '../../plugins/chat/ai/engine.js';
import { askClause } from '../../plugins/chat/ai/ask-clause.js';
import { loadPhrasingPacks } from '../../plugins/chat/ai/phrasings.js';

const kb = parseKb(JSON.parse(readFileSync(new URL('../fixtures/faq/kb.json', import.meta.url), 'utf8')));
// as the product runs: with the phrasing packs
const engine = createAnswerEngine(kb, undefined, { phrasings: await loadPhrasingPacks() });

test('a detail that changes the rules is answered only by an entry that speaks of it', () => {
  // how long a paper stays valid; a second-hand thing where the entry speaks of new ones
  assert.equal(engine.ask('跨区域涉税事项报告表的有效期有多长').reason, 'facet_not_stated');
  assert.equal(engine.ask('买了一辆二手摩托车要交购置税吗').reason, 'facet_not_stated');
  // converting a business from one form to another; the service in English; a browser
  assert.equal(engine.ask('个体户想转为公司要办什么').reason, 'facet_not_stated');
  assert.equal(engine.ask('Is there an English version of the IIT app?').reason, 'facet_not_stated');
  assert.notEqual(engine.ask('Does the e-tax bureau need a particular browser like Chrome?').decision, 'answer');
  // an entry that states the detail still answers: the mortgage-interest deduction, the second-hand home
  assert.equal(engine.ask('房贷利息怎么在个税里扣除').entry?.id, 'IIT-01');
  assert.equal(engine.ask('卖掉二手房要交哪些税').entry?.id, 'PRO-01');
  // English asked for is the service's language; a company's English name is still its registration
  assert.equal(engine.ask('公司的英文名称变了，税务登记要改吗').entry?.id, 'REG-02');
});

test('an inheritance is no sale, and an amount asked by its name needs an entry that states one', () => {
  assert.notEqual(engine.ask('奶奶去世后房子继承到我名下，过户要交什么税').decision, 'answer');
  assert.notEqual(engine.ask('灵活就业的养老保险今年缴费金额是多少').decision, 'answer');
});

test('the licence\'s annual report is market regulation\'s: not answered, routed to registration', () => {
  const r = engine.ask('执照年报在网上怎么弄');
  assert.notEqual(r.decision, 'answer');
  assert.equal(r.business, 'registration');
});

test('the asking clause of a question of several clauses', () => {
  assert.equal(askClause('我们公司下个月去外省接工程，要待半年，那边税务局要我们先办什么手续', true), '那边税务局要我们先办什么手续');
  assert.equal(askClause('发票怎么查真假', true), null);
  // the last two asking clauses, joined
  assert.equal(askClause('上个月忘了报税，现在补还来得及吗，要罚多少', true), '现在补还来得及吗，要罚多少');
  assert.equal(askClause('We opened in May. Nothing sold yet. Do we still file every month?', false), 'Do we still file every month');
  // a story with no asking clause has none: the whole question is the ask
  assert.equal(askClause('我们是做装修的，下个月去外省', true), null);
});

test('a long story is answered when its asking clause is well covered by the entry that leads clearly', () => {
  assert.equal(engine.ask('我们是做装修的，老板派我来问，下周在隔壁省开工，出发前税务上要报个什么表').entry?.id, 'REG-04');
  assert.equal(engine.ask('我开了家小面馆，生意一直不好，上个月的申报忘了，现在补上还来得及吗').entry?.id, 'DEC-03');
  // the story's clause that asks says nothing the KB knows: still refused
  assert.notEqual(engine.ask('我家孩子今年高考，志愿填报的系统哪天开放，怎么填').decision, 'answer');
});

test('English ways of saying the KB\'s words: out of province, submitting a return, a licence that came through', () => {
  assert.equal(engine.ask('Our team will work on a building site out of province for two months. What do we report to the tax bureau first?').entry?.id, 'REG-04');
  assert.equal(engine.ask('I forgot to submit my return last month. What now?').entry?.id, 'DEC-03');
  assert.equal(engine.ask('Our licence came through yesterday. What should we do at the tax bureau?').entry?.id, 'REG-01');
});

test('English: a private person\'s invoice, proof of income tax, someone to phone', () => {
  assert.equal(engine.ask('I give violin lessons privately and a company wants an invoice from me. How do I get one issued?').entry?.id, 'INV-03');
  const proof = engine.ask('I need proof of my income tax for a mortgage application');
  assert.equal(proof.entry?.id, 'CER-02');
  // the proof stays about income tax: the fold keeps its 'iit'
  assert.match(proof.normalized, /\biit\b/);
  assert.equal(engine.ask("Can I phone someone with tax questions? What's the number to call?").entry?.id, 'GEN-05');
});

test('a missed deadline, a neighbouring province and filing again, in the customers\' words', () => {
  assert.equal(engine.ask('上个季度的申报时间错过了，还能补报吗').entry?.id, 'DEC-03');
  assert.equal(engine.ask('报税拖了好几天会罚款吗').entry?.id, 'DEC-03');
  assert.equal(engine.ask('我们工程队要去邻市干两个月，税务上要办什么').entry?.id, 'REG-04');
  const again = engine.ask('增值税申报的时候销售额填多了，能重新报吗');
  assert.equal(again.entry?.id, 'DEC-04');
  assert.match(again.normalized, /重新申报/);
});

test('the new taxpayer\'s package called by its short names (套餐, 报到), in characters or pinyin', () => {
  assert.equal(engine.ask('新办的套餐在网上能办吗').entry?.id, 'REG-01');
  assert.equal(engine.ask('刚成立的公司去税务局报到要带什么').entry?.id, 'REG-01');
  assert.equal(engine.ask('tao can zai nali ban').entry?.id, 'REG-01');
});

test('where invoices are got said the other way round, a fake invoice denied, the kiosk as speech recognition writes it', () => {
  assert.equal(engine.ask('新公司的发票去哪领').entry?.id, 'INV-01');
  assert.equal(engine.ask('这张专票我想确认不是假的，怎么弄').entry?.id, 'INV-05');
  assert.equal(engine.ask('大厅那台自主机能打印什么').entry?.id, 'GEN-06');
});

test('English: owing no tax, a parent over 60, a mistake in one\'s return', () => {
  assert.equal(engine.ask('Our supplier asks for a certificate that we owe no tax. Where do we apply?').entry?.id, 'CER-03');
  assert.equal(engine.ask('My mother is over 60 and lives with me. Can I claim anything on my income tax?').entry?.id, 'IIT-01');
  assert.equal(engine.ask('I found a mistake in my return after filing it. Can I fix it?').entry?.id, 'DEC-04');
});

test('registering for tax (a business with the bureau) is not registering for the IIT app', () => {
  for (const q of ['How do we get registered for tax as a new company?', 'what do I need to register for tax']) {
    const r = engine.ask(q);
    assert.notEqual(r.entry?.id ?? r.candidates[0]?.id, 'IIT-03', q);
    assert.equal(r.business, 'registration', q);
  }
  // the app's own registration still goes to the app
  assert.equal(engine.ask('How do I register for the income tax app?').entry?.id, 'IIT-03');
});
