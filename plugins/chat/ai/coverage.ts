// Coverage, the engine's second view of the evidence: how much of the customer's question an entry accounts for
// (idf-weighted, its question counting fully, its answer less, its best phrasing beside its question), and the other
// direction, how much of the entry's own question the customer's words cover.
import type { Bm25Index } from './bm25.js';
import { createBm25 } from './bm25.js';
import type { KbEntry } from './kb-schema.js';
import type { PhrasingIndex } from './phrasing-index.js';
import type { TextTools } from './text.js';

/** a question as the engine reads it */
export interface Prepared { text: string; grams: string[]; words: string[]; en: string[]; zh: boolean; nouns: Set<string> }

/** share of the maximum idf given to a word the KB never uses: colloquial filler must not sink a good match */
const OOV_WEIGHT = 0.2;
/**
 * a noun the KB never uses (电费, 存款, 商标) weighs like the KB's rarest word: it names a thing the KB knows nothing
 * about. Chosen on the pooled inspected sets (OOS answered 11.4 → 8.2 %, in-scope 92.2 → 91.8 %).
 */
const OOV_NOUN_WEIGHT = 1;
/** credit for a word whose characters all appear in an entry's question, though not together */
const CHAR_CREDIT = 0.4;
/** credit for a word found only in an entry's answer, not its question */
const ANSWER_ONLY = 0.6;
const HAN = /^[\u3400-\u9fff]+$/;

/** a word of two or more characters whose every adjacent pair is in the set (the word, written with gaps) */
function pairsIn(set: Set<string>, w: string): boolean {
  const cs = [...w];
  return cs.length >= 2 && cs.slice(1).every((c, k) => set.has(cs[k] + c));
}

/** the entries' normalised texts (question with its keywords, answer; Chinese and the English gloss) */
export interface EntryTexts { qText: string[]; aText: string[]; qEn: string[]; aEn: string[] }

export function createCoverage(entries: readonly KbEntry[], t: EntryTexts, tools: TextTools, phrasings: PhrasingIndex) {
  // per entry: every word and character-bigram it contains
  const zhQVocab = t.qText.map((q) => new Set([...tools.words(q), ...tools.charGrams(q)]));
  const zhVocab = t.aText.map((a, i) => new Set([...zhQVocab[i], ...tools.words(a), ...tools.charGrams(a)]));
  const enQVocab = t.qEn.map((q) => new Set(tools.english(q)));
  const enVocab = t.aEn.map((a, i) => new Set([...enQVocab[i], ...tools.english(a)]));
  // the entry's own question (not its keywords or phrasings) as words, for coverage in the entry's direction
  const zhOwn = entries.map((e) => [...new Set(tools.words(tools.normalize(e.question)))]);
  const enOwn = entries.map((e) => [...new Set(tools.english(tools.normalizeEn(e.question_en ?? '')))]);
  const wordIdx: Bm25Index = createBm25(zhVocab.map((s) => [...s]));
  const enIdx: Bm25Index = createBm25(enVocab.map((s) => [...s]));
  const maxIdf = Math.log(1 + (entries.length + 0.5) / 0.5);

  function coverage(q: Prepared, i: number): number {
    const terms = q.zh ? new Set(q.words) : new Set(q.en);
    const vocab = q.zh ? zhVocab[i] : enVocab[i];
    const qVocab = q.zh ? zhQVocab[i] : enQVocab[i];
    const has = (set: Set<string>, w: string) => set.has(w) || (q.zh && HAN.test(w) && pairsIn(set, w));
    // 买车 against 新买的车: every character is there, the compound is not
    const chars = (set: Set<string>, w: string) => q.zh && w.length >= 2 && HAN.test(w) && [...w].every((c) => set.has(c));
    const idx = q.zh ? wordIdx : enIdx;
    let total = 0, hit = 0;
    const missed: Array<[string, number, number]> = []; // word, weight, credit so far
    for (const w of terms) {
      const weight = idx.has(w) ? idx.idf(w) : maxIdf * (q.nouns.has(w) ? OOV_NOUN_WEIGHT : OOV_WEIGHT);
      total += weight;
      // what the entry is about (its question) counts fully; a mention somewhere in its answer counts less
      const credit = has(qVocab, w) ? 1 : has(vocab, w) ? ANSWER_ONLY : chars(qVocab, w) ? CHAR_CREDIT : 0;
      hit += weight * credit;
      if (credit < 1) missed.push([w, weight, credit]);
    }
    // one phrasing of the entry, beside its question, may say in the customer's words what the question says formally
    let best = 0;
    for (const p of missed.length ? phrasings.vocabs(i, q.zh) : []) {
      let gain = 0;
      for (const [w, weight, credit] of missed) if (has(p, w)) gain += weight * (1 - credit);
      if (gain > best) best = gain;
    }
    return total === 0 ? 0 : (hit + best) / total;
  }

  function share(own: readonly string[], have: Set<string>, q: Prepared): number {
    const idx = q.zh ? wordIdx : enIdx;
    let total = 0, hit = 0;
    for (const w of own) {
      const weight = idx.idf(w);
      total += weight;
      if (have.has(w) || (q.zh && pairsIn(have, w))) hit += weight;
    }
    return total === 0 ? 0 : hit / total;
  }
  const haveOf = (q: Prepared) => (q.zh ? new Set([...q.words, ...q.grams]) : new Set(q.en));

  function entryCoverage(q: Prepared, i: number): number {
    return share(q.zh ? zhOwn[i] : enOwn[i], haveOf(q), q);
  }

  /** the entry's side through its phrasings too: the largest share of its question or of one phrasing the customer covers */
  function subjectCoverage(q: Prepared, i: number): number {
    const have = haveOf(q);
    let best = share(q.zh ? zhOwn[i] : enOwn[i], have, q);
    for (const p of phrasings.words(i, q.zh)) if (p.length >= 2) best = Math.max(best, share(p, have, q));
    return best;
  }

  return { coverage, entryCoverage, subjectCoverage, zhVocab, enVocab, wordIdx };
}
