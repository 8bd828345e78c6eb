// Phrasing packs: the product's own collections of how customers ask the standard questions of a service hall's FAQ
// (plugins/chat/phrasings/*.json). An operator's KB entry whose question is one a pack knows gets the pack's phrasings
// as extra alternates, so a box knows customers' wording from day one; an entry no pack knows is untouched. Matching
// is by the question's text, not the id: another hall numbers its entries its own way.
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../../../protocol/errors.js';
import type { KnowledgeBase } from './kb-schema.js';

const packSchema = z.object({
  source: z.string(),
  entries: z.array(z.object({ id: z.string(), question: z.string().min(1), zh: z.array(z.string()), en: z.array(z.string()) })),
});
export type PhrasingPack = z.infer<typeof packSchema>;

export const DEFAULT_PHRASINGS_DIR = fileURLToPath(new URL('../phrasings/', import.meta.url));

/** every pack in a folder (sorted by file name, so the merge order is stable) */
export async function loadPhrasingPacks(dir = DEFAULT_PHRASINGS_DIR): Promise<PhrasingPack[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(files.map(async (f) => {
    let json: unknown;
    try { json = JSON.parse(await readFile(join(dir, f), 'utf8')); } catch (err) {
      throw new ConfigError([`phrasings/${f}: not valid JSON: ${(err as Error).message}`]);
    }
    const r = packSchema.safeParse(json);
    if (!r.success) throw new ConfigError(r.error.issues.map((i) => `phrasings/${f}: ${i.path.join('.')}: ${i.message}`));
    return r.data;
  }));
}

/** a question's identity across KBs: NFKC, no spaces or punctuation */
const questionKey = (q: string) => q.normalize('NFKC').replace(/[\s\p{P}]/gu, '').toLowerCase();

/** the KB with the packs' phrasings added to the alternates of the entries whose question they know */
export function withPhrasings(kb: KnowledgeBase, packs: readonly PhrasingPack[]): KnowledgeBase {
  const byQuestion = new Map<string, string[]>();
  for (const pack of packs) {
    for (const e of pack.entries) {
      const key = questionKey(e.question);
      byQuestion.set(key, [...(byQuestion.get(key) ?? []), ...e.zh, ...e.en]);
    }
  }
  return {
    ...kb,
    kb: kb.kb.map((e) => {
      const extra = byQuestion.get(questionKey(e.question));
      if (!extra) return e;
      const own = new Set(e.alternates ?? []);
      return { ...e, alternates: [...own, ...extra.filter((p) => !own.has(p))] };
    }),
  };
}
