// Pinyin typed without converting to characters ("fa piao cha yan", "fapiao"): segment the Latin letters into
// Mandarin syllables, then map syllable runs back to the KB's own words through their pinyin keys.

/**
 * Every Mandarin syllable without tones (lü as lv; not the bare-consonant interjections m, n, ng, hm, hng, which would
 * let English letters pass for pinyin): a customer's pinyin uses words the KB never does (zhuang xiu, lao ban).
 */
export const MANDARIN_SYLLABLES: ReadonlySet<string> = new Set((
  'a ai an ang ao ba bai ban bang bao bei ben beng bi bian biao bie bin bing bo bu ca cai can cang cao ce cen ' +
  'ceng cha chai chan chang chao che chen cheng chi chong chou chu chua chuai chuan chuang chui chun chuo ci cong ' +
  'cou cu cuan cui cun cuo da dai dan dang dao de den deng di dia dian diao die ding diu dong dou du duan dui dun ' +
  'duo e ei en eng er fa fan fang fei fen feng fo fou fu ga gai gan gang gao ge gei gen geng gong gou gu gua guai ' +
  'guan guang gui gun guo ha hai han hang hao he hei hen heng hong hou hu hua huai huan huang hui hun huo ji jia ' +
  'jian jiang jiao jie jin jing jiong jiu ju juan jue jun ka kai kan kang kao ke kei ken keng kong kou ku kua ' +
  'kuai kuan kuang kui kun kuo la lai lan lang lao le lei leng li lia lian liang liao lie lin ling liu long lou ' +
  'lu luan lun luo lv lve ma mai man mang mao me mei men meng mi mian miao mie min ming miu mo mou mu na nai nan ' +
  'nang nao ne nei nen neng ni nian niang niao nie nin ning niu nong nou nu nuan nuo nv nve o ou pa pai pan pang ' +
  'pao pei pen peng pi pian piao pie pin ping po pou pu qi qia qian qiang qiao qie qin qing qiong qiu qu quan que ' +
  'qun ran rang rao re ren reng ri rong rou ru ruan rui run ruo sa sai san sang sao se sen seng sha shai shan ' +
  'shang shao she shen sheng shi shou shu shua shuai shuan shuang shui shun shuo si song sou su suan sui sun suo ' +
  'ta tai tan tang tao te teng ti tian tiao tie ting tong tou tu tuan tui tun tuo wa wai wan wang wei wen weng wo ' +
  'wu xi xia xian xiang xiao xie xin xing xiong xiu xu xuan xue xun ya yan yang yao ye yi yin ying yo yong you yu ' +
  'yuan yue yun za zai zan zang zao ze zei zen zeng zha zhai zhan zhang zhao zhe zhen zheng zhi zhong zhou zhu ' +
  'zhua zhuai zhuan zhuang zhui zhun zhuo zi zong zou zu zuan zui zun zuo'
).split(' '));

/** splits letters into known syllables (fewest pieces), or null if they are not pinyin */
export function segmentSyllables(letters: string, syllables: ReadonlySet<string>): string[] | null {
  const best: Array<string[] | null> = new Array(letters.length + 1).fill(null);
  best[0] = [];
  for (let i = 0; i < letters.length; i++) {
    const here = best[i];
    if (!here) continue;
    for (let n = 1; n <= 6 && i + n <= letters.length; n++) {
      const s = letters.slice(i, i + n);
      if (!syllables.has(s)) continue;
      const next = best[i + n];
      if (!next || next.length > here.length + 1) best[i + n] = [...here, s];
    }
  }
  return best[letters.length];
}

/** Pinyin typed with tone marks (mǎi fáng, lǜ → lv): the marks are dropped; other text is untouched */
export function foldTones(text: string): string {
  return text
    .replace(/[üǖǘǚǜÜǕǗǙǛ]/g, 'v')
    .replace(/[\u00c0-\u024f]/g, (c) => c.normalize('NFD').replace(/[\u0300-\u036f]/g, ''));
}

/**
 * A token's syllables: as typed, with its tone digits dropped (mai3fang2, ma0), or with an erhua ending read as its
 * syllable (nar, zher, yidianr)
 */
function syllablesOf(token: string, syllables: ReadonlySet<string>): string[] | null {
  const toneless = token.replace(/([a-z])[0-5](?=[a-z]|$)/g, '$1');
  return segmentSyllables(toneless, syllables)
    ?? (toneless.length > 2 && toneless.endsWith('r') ? segmentSyllables(toneless.slice(0, -1), syllables) : null);
}

/** the KB words (and fillers) a run of syllables spells, longest first; how many syllables they account for */
function spell(syll: readonly string[], byPinyin: ReadonlyMap<string, string>, fillers: ReadonlySet<string>) {
  const words: string[] = [];
  let used = 0;
  for (let i = 0; i < syll.length;) {
    let hit = false;
    for (let n = Math.min(4, syll.length - i); n >= 2 && !hit; n--) {
      const w = byPinyin.get(syll.slice(i, i + n).join(' '));
      if (w) { words.push(w); used += n; i += n; hit = true; }
    }
    for (let n = Math.min(3, syll.length - i); n >= 1 && !hit; n--) {
      if (fillers.has(syll.slice(i, i + n).join(' '))) { used += n; i += n; hit = true; }
    }
    if (!hit) i++;
  }
  return { words, used };
}

/**
 * Chinese for a query that reads as pinyin, else null. Latin only: every token must segment into syllables, and KB
 * words plus `fillers` (the pinyin of function words: zen me, sha, yao, de) must account for most of them, so English
 * sentences ("how do i pay") are left alone. Fillers count as read but add no word.
 */
export function pinyinToWords(text: string, syllables: ReadonlySet<string>, byPinyin: ReadonlyMap<string, string>,
  latinWords: ReadonlySet<string> = new Set(), fillers: ReadonlySet<string> = new Set()): string | null {
  text = foldTones(text);
  if (/[\u3400-\u9fff]/.test(text)) return mixedToWords(text, syllables, byPinyin, latinWords, fillers);
  const tokens = text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
  // runs of syllables between the Latin words the KB itself uses ("ge shui app wang ji mi ma": app stays app)
  const runs: string[][] = [[]];
  const kept: string[] = [];
  for (const t of tokens) {
    const s = syllablesOf(t, syllables);
    if (s) { runs[runs.length - 1].push(...s); continue; }
    // a number or a model name (2022, 4s, a4) says nothing of the language: it stays, like the KB's Latin words
    if (!latinWords.has(t) && !/[0-9]/.test(t)) return null;
    kept.push(t);
    runs.push([]);
  }
  const total = runs.reduce((a, r) => a + r.length, 0);
  if (total < 2) return null;
  const words: string[] = [...kept];
  let used = 0;
  for (const syll of runs) { const r = spell(syll, byPinyin, fillers); words.push(...r.words); used += r.used; }
  return used >= total * 0.6 ? words.join(' ') : null;
}

/**
 * Characters and pinyin in one question, as customers type when the IME fails them halfway ("gang kai de gongsi 要先
 * shenqing啥"): each run of Latin tokens that segments into syllables and spells KB words is replaced by them, in place;
 * anything else (English words, an app's name, pinyin of words the KB never uses) stays as typed. Null when nothing
 * was spelled.
 */
function mixedToWords(text: string, syllables: ReadonlySet<string>, byPinyin: ReadonlyMap<string, string>,
  latinWords: ReadonlySet<string>, fillers: ReadonlySet<string>): string | null {
  let spelled = false;
  const out = text.replace(/[a-z]+(?:[\s'-]+[a-z]+)*/gi, (run) => {
    const tokens = run.toLowerCase().split(/[\s'-]+/);
    if (tokens.some((t) => latinWords.has(t))) return run;
    const syll = tokens.map((t) => syllablesOf(t, syllables));
    if (syll.some((s) => !s)) return run;
    const all = syll.flat() as string[];
    const r = spell(all, byPinyin, fillers);
    if (!r.words.length || r.used < all.length * 0.6) return run;
    spelled = true;
    return r.words.join('');
  });
  return spelled ? out : null;
}
