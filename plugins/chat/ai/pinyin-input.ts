// Pinyin typed without converting to characters ("fa piao cha yan", "fapiao"): segment the Latin letters into
// syllables the KB uses, then map syllable runs back to the KB's own words through their pinyin keys.

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

/**
 * Chinese for a Latin-only query that reads as pinyin, else null. Every token must segment into syllables and
 * KB words must account for most of them, so English sentences ("how do i pay") are left alone.
 */
export function pinyinToWords(text: string, syllables: ReadonlySet<string>, byPinyin: ReadonlyMap<string, string>,
  latinWords: ReadonlySet<string> = new Set()): string | null {
  if (/[\u3400-\u9fff]/.test(text)) return null;
  const tokens = text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
  // runs of syllables between the Latin words the KB itself uses ("ge shui app wang ji mi ma": app stays app)
  const runs: string[][] = [[]];
  const kept: string[] = [];
  for (const t of tokens) {
    const s = segmentSyllables(t, syllables);
    if (s) { runs[runs.length - 1].push(...s); continue; }
    if (!latinWords.has(t)) return null;
    kept.push(t);
    runs.push([]);
  }
  const total = runs.reduce((a, r) => a + r.length, 0);
  if (total < 2) return null;
  const words: string[] = [...kept];
  let used = 0;
  for (const syll of runs) {
    for (let i = 0; i < syll.length;) {
      let hit = false;
      for (let n = Math.min(4, syll.length - i); n >= 2 && !hit; n--) {
        const w = byPinyin.get(syll.slice(i, i + n).join(' '));
        if (w) { words.push(w); used += n; i += n; hit = true; }
      }
      if (!hit) i++;
    }
  }
  return used >= total * 0.6 ? words.join(' ') : null;
}
