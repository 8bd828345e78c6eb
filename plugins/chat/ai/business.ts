// Business identification for routing: an explicit hint (an escalation rule), keyword evidence, then the
// businesses of the best-matching entries; 'general' when nothing points anywhere.
import type { Candidate } from './engine.js';

export interface ClassifyInput {
  text: string;
  hint?: string;
  candidates: Candidate[];
  keywords: Record<string, string[]>;
  businesses: string[];
}

/** returns the business and the evidence behind it (0 = nothing pointed anywhere, the default was used) */
/** Chinese keywords match anywhere; Latin ones only as whole words ('ca' must not match 'can') */
function mentions(text: string, word: string): boolean {
  if (!/^[a-z0-9 -]+$/i.test(word)) return text.includes(word);
  return new RegExp(`(^|[^a-z0-9])${word.replace(/[-]/g, '\\-')}($|[^a-z0-9])`, 'i').test(text);
}

export function classifyBusiness(input: ClassifyInput): { business: string; evidence: number } {
  const { text, hint, candidates, keywords, businesses } = input;
  if (hint && businesses.includes(hint)) return { business: hint, evidence: 1 };
  const score = new Map<string, number>();
  for (const [biz, words] of Object.entries(keywords)) {
    if (!businesses.includes(biz)) continue;
    // longer keywords are more specific evidence
    for (const w of words) if (mentions(text, w)) score.set(biz, (score.get(biz) ?? 0) + Math.min(2, 0.5 + w.length / 4));
  }
  candidates.forEach((c, rank) => {
    score.set(c.business, (score.get(c.business) ?? 0) + c.coverage * c.score * (rank === 0 ? 1.5 : 0.75));
  });
  const fallback = businesses.includes('general') ? 'general' : businesses[0];
  let best = fallback, bestScore = 0.35, evidence = 0;
  for (const [biz, s] of score) if (s > bestScore) { best = biz; bestScore = s; evidence = s; }
  return { business: businesses.includes(best) ? best : fallback, evidence };
}
