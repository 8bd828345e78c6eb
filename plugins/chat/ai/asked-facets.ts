// What a question asks for beyond its topic, and whether an entry's text can give it: an entry about the right topic
// that never speaks of refunds cannot say whether a tax comes back, one without a figure cannot say how much, one
// that never mentions a loss cannot say what to do about a lost invoice. Such questions go to a human.
// the sum asked by its name (缴费金额是多少, 费用多少, 收费标准) as well as by the verb
const AMOUNT_ASKED_ZH = /多少钱|交多少|缴多少|扣多少|退多少|补多少|罚多少|最多(能)?扣|最低(档)?.{0,8}多少|多少元|几块钱|(金额|费用|价格)(是|大概|一般)?多少|(缴费|收费)(标准|金额)/;
// "how much I can invoice" is a quantity clause, not a question about an amount
const AMOUNT_ASKED_EN = /^how much\b|\bhow much (is|are|does|do|will|would|should|tax|money|can i (deduct|claim|get))\b/;
// a sum of money, a rate or a multiple: an age (3岁以下) or a date states no amount
const MONEY_STATED = /\d[\d.,]*\s*(元|块|万|千|%|％|‰|倍|yuan|cny|rmb)|[百千万]分之|[一二两三四五六七八九十百千万]+(元|块|倍)|\b(cny|rmb)\s*\d/i;
// a number of days asked (how many days until…): any figure may state it
const DAYS_ASKED_EN = /\bhow many days\b/;
const FIGURE_STATED = /\d|[一二两三四五六七八九十百千万]+(个工作日|日|天|月|年)/;
// a lost document, not a lost password (I lost my e-tax password is a login question)
const LOST_DOC = '发票|票|证|凭证|联|卡|执照|合同|invoice|fapiao|certificate|receipt|card|licen[cs]e';
// lost in other words: 找不着了 (not 找不到入口, a menu not found), 不见了, 弄没了; misplaced, can't find
const LOST_ZH = '丢|遗失|找不(着|到)了|不见了|弄没了';
const LOST_EN = "\\b(lost|misplaced)\\b|\\b(can't|cannot|can not) find\\b";
const LOST_ASKED = new RegExp(`(${LOST_DOC}).{0,8}(${LOST_ZH}|${LOST_EN})|(${LOST_ZH}).{0,12}(${LOST_DOC})|(${LOST_EN}).{0,30}(${LOST_DOC})`);
const REFUND_ASKED_ZH = /(能|可以|可不可以|能不能)(申请)?退|退(吗|不退|得了|回来|还|钱)|给退/;

// whether something is waived (a tax, a fee): only an entry that speaks of exemptions, reliefs or discounts can say
const EXEMPT_ASKED_ZH = /免(征|税|交|缴|了|吗|不|掉)|(能|可以|可不可以|会不会)免|减免|不用(交|缴)|不(交|缴|征)(吗|了|税)|免不免/;
const EXEMPT_ASKED_EN = /\b(exempt|exemption|waive[ds]?|tax[- ]free|free of tax)\b|\b(don't|do not|not) (have|need) to pay\b/;
const EXEMPT_STATED = /免|减|优惠|不征|暂不|exempt|waive|relief|free|discount|reduc/i;

export interface EntryText { question: string; answer: string; questionEn: string; answerEn: string }

/** true when the (normalised) question asks for something the entry's text cannot give */
export function asksWhatEntryLacks(text: string, zh: boolean, entry: EntryText): boolean {
  const all = `${entry.question}${entry.answer}${entry.questionEn}${entry.answerEn}`;
  if (zh && REFUND_ASKED_ZH.test(text) && !/退/.test(entry.question + entry.answer)) return true;
  if ((zh ? AMOUNT_ASKED_ZH : AMOUNT_ASKED_EN).test(text) && !MONEY_STATED.test(zh ? entry.answer : entry.answerEn)) return true;
  if (!zh && DAYS_ASKED_EN.test(text) && !FIGURE_STATED.test(entry.answerEn)) return true;
  if ((zh ? EXEMPT_ASKED_ZH : EXEMPT_ASKED_EN).test(text) && !EXEMPT_STATED.test(zh ? entry.question + entry.answer : entry.questionEn + entry.answerEn)) return true;
  return LOST_ASKED.test(text) && !/丢|遗失|lost/.test(all);
}

// whether a named tax is owed or waived, or how it is paid or filed: the tax itself is the subject, not a qualifier of
// a procedure (个税退税进度 asks about the refund, 印花税怎么交 about the stamp duty)
const ABOUT_BEFORE_ZH = /((要|用|需|需要|得|该|应|应该|是否|不|还|都)(交|缴|缴纳|征|征收)|免(征|交|缴|收)?|(交|缴|征)不(交|缴|征)|(怎么|如何|怎样|在哪|去哪|到哪|哪里|哪儿)(交|缴|缴纳|报|申报|填|填报))$/;
const ABOUT_AFTER_ZH = /^((要|用|需|需要|得|该|是否|还)?(交|缴)(吗|么|不|嘛)|(能|可以|怎么|会)?(免|减免)|交不交|缴不缴|征不征|.{0,6}(怎么|如何|怎样|在哪|去哪|到哪|哪里|哪儿)(里|儿)?(交|缴|缴纳|报|申报|填|填报))/;
const ABOUT_EN = /\b(pay|owe|owed|charge|charged|levy|levied|exempt|exemption|liable|subject to)\b|\bhow (do|can|should|to) (i |we )?(file|declare)\b/;

/** true when the (normalised) question asks whether the named tax `term` is owed or waived, or how it is paid or filed */
export function asksAboutTax(text: string, zh: boolean, term: string): boolean {
  if (!zh) return ABOUT_EN.test(text);
  for (let at = text.indexOf(term); at >= 0; at = text.indexOf(term, at + 1)) {
    if (ABOUT_BEFORE_ZH.test(text.slice(Math.max(0, at - 4), at)) || ABOUT_AFTER_ZH.test(text.slice(at + term.length))) return true;
  }
  return false;
}
