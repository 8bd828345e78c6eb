// Phrasing packs: the product's own collections of how customers ask the standard questions of a service hall's FAQ
// (plugins/chat/phrasings/*.json). An operator's KB entry whose question is one a pack knows gets the pack's phrasings
// as extra alternates, so a box knows customers' wording from day one; an entry no pack knows is untouched. Matching
// is by the question's text, not the id: another hall numbers its entries its own way.
// A pack may also hold customers' questions labelled by the entry that answers them (`asked`), and questions no entry
// answers (`out_of_scope`): these only teach the engine's learned prior (learned-prior.ts), never join the phrasings,
// so they rank entries without giving an unrelated question more phrasings to fit.
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../../../protocol/errors.js';
import type { KnowledgeBase } from './kb-schema.js';

const packSchema = z.object({
  source: z.string(),
  entries: z.array(z.object({
    id: z.string(), question: z.string().min(1),
    zh: z.array(z.string()).default([]), en: z.array(z.string()).default([]), asked: z.array(z.string()).default([]),
  })),
  out_of_scope: z.array(z.string()).default([]),
});
/** as written: the lists an entry does not use may be left out */
export type PhrasingPack = z.input<typeof packSchema>;

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
export const questionKey = (q: string) => q.normalize('NFKC').replace(/[\s\p{P}]/gu, '').toLowerCase();

/** the KB with the packs' phrasings added to the alternates of the entries whose question they know */
export function withPhrasings(kb: KnowledgeBase, packs: readonly PhrasingPack[]): KnowledgeBase {
  const byQuestion = new Map<string, string[]>();
  for (const pack of packs) {
    for (const e of pack.entries) {
      const key = questionKey(e.question);
      byQuestion.set(key, [...(byQuestion.get(key) ?? []), ...(e.zh ?? []), ...(e.en ?? [])]);
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

/** the packs' labelled customer questions for this KB: an entry's by its id (matched by question), out of scope as null */
export function askedExamples(kb: KnowledgeBase, packs: readonly PhrasingPack[]): Array<{ q: string; id: string | null }> {
  const idOf = new Map(kb.kb.map((e) => [questionKey(e.question), e.id]));
  return packs.flatMap((pack) => [
    ...pack.entries.flatMap((e) => { const id = idOf.get(questionKey(e.question)); return id ? (e.asked ?? []).map((q) => ({ q, id })) : []; }),
    ...(pack.out_of_scope ?? []).map((q) => ({ q, id: null })),
  ]);
}

/** the packs without any text equal to one of `questions`: an evaluation never scores what the engine learned from */
export function withoutQuestions(packs: readonly PhrasingPack[], questions: readonly string[]): PhrasingPack[] {
  const held = new Set(questions.map(questionKey));
  const keep = (list: string[] = []) => list.filter((q) => !held.has(questionKey(q)));
  return packs.map((p) => ({
    ...p,
    entries: p.entries.map((e) => ({ ...e, zh: keep(e.zh), en: keep(e.en), asked: keep(e.asked) })),
    out_of_scope: keep(p.out_of_scope),
  }));
}

/** a pack of labelled customer questions (cases in dev-cases.json's format) for this KB: the entries by question */
export function packFromCases(kb: KnowledgeBase, cases: ReadonlyArray<{ q: string; expect_id: string | null }>, source: string): PhrasingPack {
  const byId = new Map(kb.kb.map((e) => [e.id, { id: e.id, question: e.question, asked: [] as string[] }]));
  const seen = new Set<string>();
  const outOfScope: string[] = [];
  for (const c of cases) {
    const key = questionKey(c.q);
    if (!key || seen.has(key)) continue;
    seen.add(key);
    if (c.expect_id === null) { outOfScope.push(c.q); continue; }
    const entry = byId.get(c.expect_id);
    if (!entry) throw new ConfigError([`cases: ${c.expect_id}: no such entry in the KB (question "${c.q}")`]);
    entry.asked.push(c.q);
  }
  return { source, entries: [...byId.values()].filter((e) => e.asked.length), out_of_scope: outOfScope };
}
