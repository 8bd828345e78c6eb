import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asksWhatEntryLacks } from '../../plugins/chat/ai/asked-facets.js';

const procedureOnly = { question: '个税专项附加扣除怎么填报', answer: '在个人所得税App中选择专项附加扣除填报，按提示填写子女教育等信息。', questionEn: 'How do I claim special deductions?', answerEn: 'Fill them in the IIT app.' };
const withFigures = { ...procedureOnly, answer: '子女教育每个子女每月2000元，在个人所得税App中填报。', answerEn: 'CNY 2,000 per child per month, in the IIT app.' };

test('an amount asked needs an entry that states one', () => {
  assert.equal(asksWhatEntryLacks('子女教育每个月能扣多少钱', true, procedureOnly), true);
  assert.equal(asksWhatEntryLacks('子女教育每个月能扣多少钱', true, withFigures), false);
  assert.equal(asksWhatEntryLacks('how much can i deduct for my child', false, procedureOnly), true);
  // a quantity clause is no question about an amount
  assert.equal(asksWhatEntryLacks('can the tax office increase how much i can invoice', false, procedureOnly), false);
});

test('a lost document needs an entry that speaks of losing one; a lost password is a login question', () => {
  const login = { question: '电子税务局登录不了怎么办', answer: '忘记密码可在登录页找回。', questionEn: 'Cannot log in', answerEn: 'Reset a forgotten password on the login page.' };
  assert.equal(asksWhatEntryLacks('完税证明丢了怎么补', true, procedureOnly), true);
  assert.equal(asksWhatEntryLacks('our company lost a paper vat special invoice from a supplier', false, login), true);
  assert.equal(asksWhatEntryLacks('i lost my e-tax password', false, login), false);
});

test('asking for money back needs an entry that speaks of refunds', () => {
  assert.equal(asksWhatEntryLacks('交过的契税能退吗', true, procedureOnly), true);
  assert.equal(asksWhatEntryLacks('交过的契税能退吗', true, { ...procedureOnly, answer: '符合条件的可申请退还已缴契税。' }), false);
  assert.equal(asksWhatEntryLacks('契税怎么交', true, procedureOnly), false);
});

test('an amount asked needs a sum, a rate or a multiple: an age or a date states none', () => {
  const ages = { ...procedureOnly, answer: '赡养60岁以上父母的，在个人所得税App填报；每年3月1日前确认。', answerEn: 'For parents aged 60 or over; confirm by 1 March.' };
  assert.equal(asksWhatEntryLacks('赡养老人那项一个月最多扣多少', true, ages), true);
  assert.equal(asksWhatEntryLacks('赡养老人那项一个月最多扣多少', true, { ...ages, answer: '赡养老人每月可扣3000元。' }), false);
  assert.equal(asksWhatEntryLacks('契税要交多少', true, { ...ages, answer: '首套房按1.5%缴纳。' }), false);
  // a number of days may be stated by any figure
  assert.equal(asksWhatEntryLacks('how many days do i have to file', false, { ...ages, answerEn: 'File within 15 days after the month ends.' }), false);
});

test('whether something is waived needs an entry that speaks of exemptions or reliefs', () => {
  const relief = { ...procedureOnly, answer: '家庭唯一住房满五年的，个人所得税免征。', answerEn: 'Exempt when it is the only home held five years.' };
  assert.equal(asksWhatEntryLacks('年终奖能免个税吗', true, procedureOnly), true);
  assert.equal(asksWhatEntryLacks('住了六年的房子卖了能免个税吗', true, relief), false);
  assert.equal(asksWhatEntryLacks('is my study allowance exempt from iit', false, procedureOnly), true);
  assert.equal(asksWhatEntryLacks('is the sale of my only home exempt', false, relief), false);
  // a question with no waiver in it is not held to one
  assert.equal(asksWhatEntryLacks('专项附加扣除在哪里填', true, procedureOnly), false);
});

test('a document lost in other words (找不着了, 不见了, misplaced) is a lost document; a menu not found is not', () => {
  assert.equal(asksWhatEntryLacks('上个月的完税证明不见了，能补打吗', true, procedureOnly), true);
  assert.equal(asksWhatEntryLacks('税务登记证找不着了怎么办', true, procedureOnly), true);
  assert.equal(asksWhatEntryLacks('i misplaced the paper invoice a supplier sent', false, procedureOnly), true);
  assert.equal(asksWhatEntryLacks('发票查验找不到入口', true, procedureOnly), false);
});
