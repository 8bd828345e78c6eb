// Text normalisation and tokenisers: NFKC + traditional→simplified, synonym folding, pinyin typo repair,
// character n-grams, jieba words and light English stemming.
import * as OpenCC from 'opencc-js/t2cn';
import { Jieba } from '@node-rs/jieba';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pinyin } from 'pinyin-pro';
import { EN_STOPWORDS, ZH_STOPWORDS } from './lexicon/index.js';
import { MANDARIN_SYLLABLES, pinyinToWords } from './pinyin-input.js';

const CJK = /[\u3400-\u9fff]/;
/**
 * particles and negations: two characters with one of them are the customer's grammar, not a typo of a KB word
 * (可以不交 is no 补缴, 审计所的人 no 所得, 没约 no 每月); a longer span keeps enough other characters to judge
 */
const GRAMMAR = /[的了吗呢吧啊呀嘛么不没]/;
const CJK_G = /[\u3400-\u9fff]/g;

export interface TextTools {
  /** NFKC, traditional→simplified, lower case */
  basic(text: string): string;
  /** basic() and synonyms folded to their canonical form */
  normalize(text: string): string;
  /** basic() and only the English synonyms: an English sentence keeps 'e-tax' English, not 电子税务局 */
  normalizeEn(text: string): string;
  /** replaces unknown CJK spans whose pinyin equals a known word (发漂 → 发票) */
  repairHomophones(text: string): string;
  /** the KB words a Latin-only query spells in pinyin ("fa piao" → 发票), or null when it is not pinyin */
  fromPinyin(text: string): string | null;
  charGrams(text: string): string[];
  words(text: string): string[];
  /** the nouns of a text (jieba's part-of-speech tags), two characters or more: the things a question is about */
  nouns(text: string): Set<string>;
  english(text: string): string[];
  isChinese(text: string): boolean;
  /** teaches the tools the KB's vocabulary (call once the KB is folded) */
  learnVocabulary(texts: string[]): void;
}

export interface TextToolsOptions {
  synonyms: Record<string, string[]>; enSynonyms: Record<string, string[]>; userWords: string[];
  /** a segmenter to reuse (see loadJieba); this KB's words are added to it */
  jieba?: Jieba;
}

/**
 * jieba with its default dictionary: ~37 MB of native memory, freed only when V8 collects the object. A plugin
 * that rebuilds its engine on every KB edit passes one of these to each build, so edits do not stack tens of
 * MB each; the price is that words an older KB version added stay known to the segmenter until a restart.
 */
export function loadJieba(): Jieba {
  return Jieba.withDict(readFileSync(createRequire(import.meta.url).resolve('@node-rs/jieba/dict.txt')));
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** where the words of a sentence start, and which of them a fold must not cut into */
interface Cuts { starts: Set<number>; protectedAt(end: number): boolean }

function foldingRegex(table: Record<string, string[]>, wordBoundary: boolean, boundaries?: (s: string) => Cuts) {
  const map = new Map<string, string>();
  for (const [canon, variants] of Object.entries(table)) {
    map.set(canon.toLowerCase(), canon.toLowerCase());
    for (const v of variants) if (!map.has(v.toLowerCase())) map.set(v.toLowerCase(), canon.toLowerCase());
  }
  const keys = [...map.keys()].sort((a, b) => b.length - a.length).map(escape);
  if (keys.length === 0) return (s: string) => s;
  const re = wordBoundary ? new RegExp(`\\b(?:${keys.join('|')})\\b`, 'g') : new RegExp(keys.join('|'), 'g');
  if (!boundaries) return (s: string) => s.replace(re, (m) => map.get(m) ?? m);
  // Chinese has no spaces: a variant folds only where a word of the sentence starts, so 那个税 keeps its 个 and
  // 税 (not 个税 → 个人所得税) and 创新公司 is no 新公司; its end may fall inside a word (自由职业者 → 灵活就业者),
  // but not inside a word of the KB's own: 有个税务问题 is 有/个/税务, no 个税
  return (s: string) => {
    const cuts = boundaries(s);
    return s.replace(re, (m: string, at: number) => (cuts.starts.has(at) && !cuts.protectedAt(at + m.length) ? map.get(m) ?? m : m));
  };
}

/**
 * strip common English inflections (a light Porter step 1): invoices→invoice, filing/filed/files→file, stopped→stop.
 * A final "e" of a longer word goes too (Porter's step 5), or changed/arrived/received (chang, arriv, receiv) never
 * met change/arrive/receive.
 */
export function stem(w: string): string {
  const s = inflection(w);
  return s.length > 4 && s.endsWith('e') && !s.endsWith('ee') ? s.slice(0, -1) : s;
}

function inflection(w: string): string {
  if (w.length <= 3) return w;
  if ((w.endsWith('ies') || w.endsWith('ied')) && w.length > 4) return `${w.slice(0, -3)}y`;
  if (w.endsWith('sses')) return w.slice(0, -2);
  let s = w;
  if (w.endsWith('ing') && w.length > 5) s = w.slice(0, -3);
  else if (w.endsWith('ed') && !w.endsWith('eed') && w.length > 3) s = w.slice(0, -2);
  else if (w.endsWith('es') && /(ss|x|ch|sh|z)es$/.test(w)) return w.slice(0, -2);
  else if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is')) return w.slice(0, -1);
  if (s === w) return w;
  if (/([^aeiouslz])\1$/.test(s)) return s.slice(0, -1);
  if (s.endsWith('u')) return `${s}e`;
  // short consonant-vowel-consonant stems lost an "e": fil→file, us→use, cod→code
  if (/^[^aeiou]*[aeiou][^aeiouwxy]$/.test(s)) return `${s}e`;
  return s;
}

export function createTextTools(opts: TextToolsOptions): TextTools {
  const t2s = (OpenCC as unknown as { Converter(o: { from: string; to: string }): (s: string) => string }).Converter({ from: 't', to: 'cn' });
  // the dictionary is read here, not at import time
  const jieba = opts.jieba ?? loadJieba();
  const userWords = [...new Set([...opts.userWords, ...Object.keys(opts.synonyms)].map((w) => w.toLowerCase()))].filter((w) => !/\s/.test(w));
  // the variants customers type are words too, but weaker than the dictionary's own (这个 stays 这个 before 税). A
  // two-character variant is a word (个税, 冲掉); a longer one is a phrase (交了多久, 居民医保) that, weighted like a
  // common word, made jieba cut real words apart so that it folded inside them (退税提交了多久 → 提/交了多久 →
  // 退税提缴费记录, 城乡居民医保 → 城乡/居民医保 → 城乡城乡居民医保): a phrase is cut whole only where nothing else fits
  const variants = [...new Set(Object.values(opts.synonyms).flat().map((w) => w.toLowerCase()))].filter((w) => !/\s/.test(w) && /[\u3400-\u9fff]/.test(w));
  jieba.loadDict(Buffer.from(variants.map((w) => `${w} ${[...w].length <= 2 ? 200 : 1} n`).join('\n')));
  jieba.loadDict(Buffer.from(userWords.map((w) => `${w} 2000 n`).join('\n')));
  // the KB's own words (learnVocabulary; not the variants it is taught beside them): a customer's variant must not
  // fold across one of them
  const kbWords = new Set<string>();
  const variantSet = new Set(variants);
  const cutPoints = (text: string): Cuts => {
    const starts = new Set<number>([0]);
    // the positions inside a KB word (not at its start)
    const inside = new Set<number>();
    let pos = 0;
    for (const w of jieba.cut(text, false)) {
      if (kbWords.has(w)) for (let k = 1; k < w.length; k++) inside.add(pos + k);
      pos += w.length;
      starts.add(pos);
    }
    return { starts, protectedAt: (end) => inside.has(end) };
  };
  const foldZh = foldingRegex(opts.synonyms, false, cutPoints);
  const foldEn = foldingRegex(opts.enSynonyms, true);
  // pinyin key → known word; the set of every 2..4-char span of known text, to leave real words alone
  const byPinyin = new Map<string, string>();
  const knownSpans = new Set<string>();
  // Latin tokens the KB's Chinese text uses (app, pdf, ca): they may sit inside a pinyin question
  const latinWords = new Set<string>();

  const py = (s: string) => pinyin(s, { toneType: 'none', type: 'array' }) as string[];
  // the function words of a question typed in pinyin (zen me, sha, yao): read, though they add nothing to retrieval
  const fillers = new Set([...ZH_STOPWORDS].filter((w) => [...w].length <= 3).map((w) => py(w).join(' ')));

  const tools: TextTools = {
    basic(text) {
      const s = text.normalize('NFKC');
      return (CJK.test(s) ? t2s(s) : s).toLowerCase();
    },
    normalize(text) {
      return foldEn(foldZh(tools.basic(text)));
    },
    normalizeEn(text) {
      return foldEn(tools.basic(text));
    },
    repairHomophones(text) {
      if (byPinyin.size === 0 || !CJK.test(text)) return text;
      const chars = [...text];
      // only runs of single characters are candidates: a dictionary word (jieba without HMM) is a real word
      const single = new Array<boolean>(chars.length).fill(false);
      let pos = 0;
      for (const w of jieba.cut(text, false)) {
        const n = [...w].length;
        if (n === 1) single[pos] = true;
        pos += n;
      }
      // pinyin is the costly step (most of an answer's CPU): only when some unknown span of singles exists
      const open = (i: number, n: number) => {
        for (let k = i; k < i + n; k++) if (!single[k] || !CJK.test(chars[k])) return false;
        return !knownSpans.has(chars.slice(i, i + n).join(''));
      };
      let candidate = false;
      for (let i = 0; i + 1 < chars.length && !candidate; i++) for (let n = 2; n <= 4 && i + n <= chars.length && !candidate; n++) candidate = open(i, n);
      if (!candidate) return text;
      // pinyin of the runs of single characters only, not of the whole question
      const syll: Array<string | undefined> = new Array(chars.length);
      for (let a = 0; a < chars.length;) {
        if (!single[a] || !CJK.test(chars[a])) { a++; continue; }
        let b = a;
        while (b < chars.length && single[b] && CJK.test(chars[b])) b++;
        if (b - a >= 2) {
          const ys = py(chars.slice(a, b).join(''));
          if (ys.length === b - a) ys.forEach((y, k) => { syll[a + k] = y; });
        }
        a = b;
      }
      let out = '';
      for (let i = 0; i < chars.length;) {
        let replaced = false;
        for (let n = 4; n >= 2 && !replaced; n--) {
          if (i + n > chars.length) continue;
          const span = chars.slice(i, i + n).join('');
          if (knownSpans.has(span) || !single.slice(i, i + n).every(Boolean) || [...span].some((c) => !CJK.test(c))) continue;
          if (n === 2 && GRAMMAR.test(span)) continue;
          const ys = syll.slice(i, i + n);
          if (ys.some((y) => y === undefined)) continue;
          const word = byPinyin.get(ys.join(' '));
          if (word && word !== span) { out += word; i += n; replaced = true; }
        }
        if (!replaced) { out += chars[i]; i++; }
      }
      return out;
    },
    fromPinyin(text) {
      return byPinyin.size ? pinyinToWords(text, MANDARIN_SYLLABLES, byPinyin, latinWords, fillers) : null;
    },
    charGrams(text) {
      const out: string[] = [];
      for (const run of text.match(/[\u3400-\u9fff]+/g) ?? []) {
        const cs = [...run];
        for (let i = 0; i < cs.length; i++) {
          if (!ZH_STOPWORDS.has(cs[i])) out.push(cs[i]);
          if (i + 1 < cs.length) out.push(cs[i] + cs[i + 1]);
        }
      }
      for (const w of text.match(/[a-z0-9]+/g) ?? []) out.push(w);
      return out;
    },
    words(text) {
      return jieba.cutForSearch(text, true).map((w) => w.trim()).filter((w) => w && !ZH_STOPWORDS.has(w) && /[\p{L}\p{N}]/u.test(w));
    },
    nouns(text) {
      return new Set(jieba.tag(text, true).filter((t) => /^(n|nz|vn|nt|nr|ns|nrt|j)$/.test(t.tag) && [...t.word].length >= 2).map((t) => t.word));
    },
    english(text) {
      return (text.match(/[a-z0-9][a-z0-9-]*/g) ?? []).filter((w) => !EN_STOPWORDS.has(w)).map(stem);
    },
    isChinese(text) {
      const cjk = (text.match(CJK_G) ?? []).length;
      const latin = (text.match(/[a-zA-Z]/g) ?? []).length;
      return cjk > 0 && cjk * 3 >= latin;
    },
    learnVocabulary(texts) {
      for (const t of texts) {
        if (CJK.test(t)) for (const w of t.toLowerCase().match(/[a-z]{2,}/g) ?? []) latinWords.add(w);
        for (const run of t.match(/[\u3400-\u9fff]+/g) ?? []) {
          const cs = [...run];
          for (let n = 2; n <= 4; n++) for (let i = 0; i + n <= cs.length; i++) knownSpans.add(cs.slice(i, i + n).join(''));
        }
        // a short lexicon entry is a word even when jieba would split it (个税 → 个 税)
        const whole = /^[\u3400-\u9fff]{2,4}$/.test(t) ? [t] : [];
        const cut = jieba.cut(t, false);
        for (const w of cut) if (w.length >= 2 && /^[\u3400-\u9fff]+$/.test(w) && !variantSet.has(w)) kbWords.add(w);
        for (const w of [...whole, ...cut]) {
          if (w.length < 2 || w.length > 4 || !/^[\u3400-\u9fff]+$/.test(w) || ZH_STOPWORDS.has(w)) continue;
          const key = py(w).join(' ');
          if (!byPinyin.has(key)) byPinyin.set(key, w);
        }
      }
    },
  };
  return tools;
}
