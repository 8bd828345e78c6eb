// Chinese synonyms: each variant folds to one canonical form, applied to the KB and the question alike, so the
// customer's wording meets the KB's. Canonical forms are the KB's own words wherever the KB has one; a canonical
// with a space folds to two words. The tables are split by kind; a canonical may appear in several of them.
import { CORE_SYNONYMS } from './synonyms-zh-core.js';
import { THING_SYNONYMS } from './synonyms-zh-things.js';
import { PLACE_SYNONYMS } from './synonyms-zh-places.js';
import { ACTION_SYNONYMS } from './synonyms-zh-actions.js';
import { SITUATION_SYNONYMS } from './synonyms-zh-situations.js';

/** tables of key → words joined key by key (a KB's own synonyms and keywords join the built-in ones this way too) */
export function mergeTables(...tables: Array<Record<string, string[]> | undefined>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const t of tables) for (const [k, v] of Object.entries(t ?? {})) out[k] = [...(out[k] ?? []), ...v];
  return out;
}

/** canonical → variants customers say or type */
export const TAX_SYNONYMS: Record<string, string[]> = mergeTables(CORE_SYNONYMS, THING_SYNONYMS, PLACE_SYNONYMS, ACTION_SYNONYMS, SITUATION_SYNONYMS);
