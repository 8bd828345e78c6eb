// Topic terms (tax types, other departments' business) a question names and each entry names: a question about
// 企业所得税 or 户口 is not answered by an entry that never mentions it, whatever else matches.
import { EN_ASKED_FACETS, EN_OTHER_TERMS, EN_TAX_TYPES, EN_TOPIC_ZH, OTHER_DEPARTMENT_TERMS, TAX_TYPES } from './lexicon/index.js';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const wholeWord = (t: string) => new RegExp(`(?<![a-z0-9])${escape(t)}(?:s|es)?(?![a-z0-9])`);
// the asked facets too: the engine looks for each of them in every English question and its entry's text
const EN_TERM_RE: ReadonlyMap<string, RegExp> = new Map([...EN_TAX_TYPES, ...EN_OTHER_TERMS, ...EN_ASKED_FACETS].map((t) => [t, wholeWord(t)]));

/**
 * whether a normalised text names a topic term: Chinese anywhere, English only as whole words (a plural allowed), or
 * 'cit' is named by every 'city' and 'electricity', 'vat' by 'private' and 'renovation', 'visa' by 'advisable'
 */
export function namesTerm(text: string, t: string): boolean {
  if (!/^[a-z0-9 -]+$/.test(t)) return text.includes(t);
  return (EN_TERM_RE.get(t) ?? wholeWord(t)).test(text);
}

export interface TopicIndex {
  /** the topic terms a normalised question names */
  named(text: string, zh: boolean): string[];
  /** whether entry `i` names topic `t` anywhere (question or answer), or in its question */
  names(i: number, t: string, zh: boolean, where: 'anywhere' | 'question'): boolean;
  /**
   * whether `t` is a tax type some entry names and entry `i` is a procedure for every tax the KB deals with (correcting
   * a return): its question speaks of tax or of filing, and it names no tax type at all (the proxy entry, which speaks
   * of neither, is no guide to 企业所得税汇算)
   */
  taxFree(i: number, t: string, zh: boolean): boolean;
}

/** the entries' normalised texts, Chinese and English, question and answer */
export function createTopicIndex(qText: string[], aText: string[], qEn: string[], aEn: string[]): TopicIndex {
  const zhTopics = [...TAX_TYPES, ...OTHER_DEPARTMENT_TERMS];
  const enTopics = [...EN_TAX_TYPES, ...EN_OTHER_TERMS];
  const zhTax = new Set(TAX_TYPES);
  const enTax = new Set(EN_TAX_TYPES);
  const zhAny = qText.map((q, i) => new Set(zhTopics.filter((t) => q.includes(t) || aText[i].includes(t))));
  const zhQ = qText.map((q) => new Set(zhTopics.filter((t) => q.includes(t))));
  // the gloss summarises: an entry names an English topic when its gloss or its Chinese text does
  const inChinese = (t: string, zh: Set<string>) => (EN_TOPIC_ZH[t] ?? []).some((z) => zh.has(z));
  const enQ = qEn.map((q, i) => new Set(enTopics.filter((t) => namesTerm(q, t) || inChinese(t, zhQ[i]))));
  const enAny = qEn.map((q, i) => new Set(enTopics.filter((t) => namesTerm(q, t) || namesTerm(aEn[i], t) || inChinese(t, zhAny[i]))));
  // the taxes some entry names, and the entries that name any
  const zhKnown = new Set(zhAny.flatMap((s) => [...s]));
  const enKnown = new Set(enAny.flatMap((s) => [...s]));
  const zhTaxed = zhAny.map((s) => [...s].some((x) => zhTax.has(x)));
  // 税 of its own (not the 税 of 税务局 or 办税服务厅), or filing; judged on the KB's Chinese text, of which the gloss is
  // a summary (its 'customs' clearance is no customs duty)
  const everyTax = qText.map((q, i) => /(?<!办)税(?!务)|申报/.test(q) && !zhTaxed[i]);
  return {
    named(text, zh) {
      const found = (zh ? zhTopics : enTopics).filter((t) => namesTerm(text, t));
      // a company's income tax is 企业所得税 though the customer says only 所得税 (公司一年一次的所得税汇算)
      if (zh && /所得税/.test(text) && !found.some((t) => t.endsWith('所得税')) && /公司|企业|单位|厂/.test(text)) found.push('企业所得税');
      return found;
    },
    taxFree: (i, t, zh) => (zh ? zhTax : enTax).has(t) && (zh ? zhKnown : enKnown).has(t) && everyTax[i],
    names: (i, t, zh, where) => (where === 'question' ? (zh ? zhQ : enQ) : (zh ? zhAny : enAny))[i].has(t),
  };
}
