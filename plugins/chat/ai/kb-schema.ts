// The operator-editable knowledge base (format of shared/data/faq/kb.json, plus optional operator additions).
import { z } from 'zod';
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../../../protocol/errors.js';

export const kbEntrySchema = z.object({
  id: z.string().min(1),
  business: z.string().min(1),
  question: z.string().min(1),
  answer: z.string().min(1),
  question_en: z.string().optional(),
  answer_en: z.string().optional(),
  /** alternate phrasings operators add (Chinese or English) */
  alternates: z.array(z.string()).optional(),
  /** extra search keywords for this entry */
  keywords: z.array(z.string()).optional(),
});

export const kbSchema = z.object({
  name: z.string().optional(),
  businesses: z.record(z.string(), z.string()),
  kb: z.array(kbEntrySchema),
  /** canonical term → variants customers use; merged over the built-in tax table */
  synonyms: z.record(z.string(), z.array(z.string())).optional(),
  /** business → words that identify it even when no entry answers the question */
  business_keywords: z.record(z.string(), z.array(z.string())).optional(),
}).superRefine((kb, ctx) => {
  const ids = new Set<string>();
  kb.kb.forEach((e, i) => {
    if (ids.has(e.id)) ctx.addIssue({ code: 'custom', path: ['kb', i, 'id'], message: `duplicate id ${e.id}` });
    ids.add(e.id);
    if (!(e.business in kb.businesses)) ctx.addIssue({ code: 'custom', path: ['kb', i, 'business'], message: `unknown business ${e.business}` });
  });
});

export type KbEntry = z.infer<typeof kbEntrySchema>;
export type KnowledgeBase = z.infer<typeof kbSchema>;

export function parseKb(value: unknown): KnowledgeBase {
  const r = kbSchema.safeParse(value);
  if (!r.success) throw new ConfigError(r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  return r.data;
}

export async function loadKb(path: string): Promise<KnowledgeBase> {
  let text: string;
  try { text = await readFile(path, 'utf8'); } catch (err) {
    throw new ConfigError([`kb: cannot read ${path}: ${(err as Error).message}`]);
  }
  try { return parseKb(JSON.parse(text)); } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError([`kb: ${path} is not valid JSON: ${(err as Error).message}`]);
  }
}
