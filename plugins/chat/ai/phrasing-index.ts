// An entry's alternate phrasings (an operator's, a supervisor's teaching, the product's phrasing packs), each kept
// as a question of its own. Pasted into the entry's question they would pool every phrasing's words into one bag,
// and an unrelated question would find its words scattered across thirty phrasings: coverage is judged against the
// one phrasing that fits best (with the entry's own question beside it), and retrieval pools a phrasing's score to
// its entry by the maximum.
import type { Bm25Index } from './bm25.js';
import { createBm25 } from './bm25.js';
import type { KbEntry } from './kb-schema.js';
import type { TextTools } from './text.js';

export interface PooledChannel {
  index: Bm25Index;
  weight: number;
  /** phrasing → entry */
  pool: Int32Array;
  tokens: 'grams' | 'words' | 'en';
}

export interface PhrasingIndex {
  zhChannels: PooledChannel[];
  enChannels: PooledChannel[];
  /** each phrasing of entry `i` in the query's language, as the set of its words and character bigrams (or English terms) */
  vocabs(i: number, zh: boolean): ReadonlyArray<Set<string>>;
  /** each phrasing of entry `i` in the query's language, as its distinct words (or English terms) */
  words(i: number, zh: boolean): ReadonlyArray<readonly string[]>;
}

/** the score channels of the phrasings, relative to the entry-question channels (weight 1) */
const PHRASING_WEIGHT = 1;

/** after the tools learned the KB: phrasings are repaired and folded exactly like a customer's question */
export function createPhrasingIndex(entries: readonly KbEntry[], tools: TextTools): PhrasingIndex {
  const zh: Array<{ entry: number; text: string }> = [];
  const en: Array<{ entry: number; text: string }> = [];
  entries.forEach((e, i) => {
    for (const a of e.alternates ?? []) {
      if (tools.isChinese(a)) zh.push({ entry: i, text: tools.normalize(tools.repairHomophones(tools.normalize(a))) });
      else en.push({ entry: i, text: tools.normalizeEn(a) });
    }
  });
  const zhWords = zh.map((p) => tools.words(p.text));
  const zhGrams = zh.map((p) => tools.charGrams(p.text));
  const enTerms = en.map((p) => tools.english(p.text));
  const zhPool = Int32Array.from(zh, (p) => p.entry);
  const enPool = Int32Array.from(en, (p) => p.entry);
  const zhVocab = entries.map(() => [] as Set<string>[]);
  const enVocab = entries.map(() => [] as Set<string>[]);
  zh.forEach((p, k) => zhVocab[p.entry].push(new Set([...zhWords[k], ...zhGrams[k]])));
  en.forEach((p, k) => enVocab[p.entry].push(new Set(enTerms[k])));
  const zhOwn = entries.map(() => [] as string[][]);
  const enOwn = entries.map(() => [] as string[][]);
  zh.forEach((p, k) => zhOwn[p.entry].push([...new Set(zhWords[k])]));
  en.forEach((p, k) => enOwn[p.entry].push([...new Set(enTerms[k])]));
  return {
    zhChannels: zh.length ? [
      { index: createBm25(zhGrams), weight: PHRASING_WEIGHT, pool: zhPool, tokens: 'grams' },
      { index: createBm25(zhWords), weight: PHRASING_WEIGHT, pool: zhPool, tokens: 'words' },
    ] : [],
    enChannels: en.length ? [{ index: createBm25(enTerms), weight: PHRASING_WEIGHT, pool: enPool, tokens: 'en' }] : [],
    vocabs: (i, isZh) => (isZh ? zhVocab : enVocab)[i],
    words: (i, isZh) => (isZh ? zhOwn : enOwn)[i],
  };
}

/** per entry, the best score of its phrasings */
export function poolScores(scores: Float64Array, pool: Int32Array, entries: number): Float64Array {
  const out = new Float64Array(entries);
  for (let k = 0; k < scores.length; k++) if (scores[k] > out[pool[k]]) out[pool[k]] = scores[k];
  return out;
}
