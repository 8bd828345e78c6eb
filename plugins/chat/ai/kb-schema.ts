// The operator-editable knowledge base (format of shared/data/faq/kb.json, plus optional operator additions).
import { z } from 'zod';
import { readFile } from 'node:fs/promises';
import { cannotRead, ConfigError } from '../../../protocol/errors.js';

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

/**
 * Reads and validates a KB file. `key` is the setting that named it (`plugins.chat.kb` on a box), so its errors
 * read like every other config error: `plugins.chat.kb: cannot read /etc/kefu/kb.json (ENOENT)`.
 */
export async function loadKb(path: string, key = 'kb'): Promise<KnowledgeBase> {
  let text: string;
  try { text = await readFile(path, 'utf8'); } catch (err) {
    throw new ConfigError([cannotRead(key, path, err)]);
  }
  let value: unknown;
  try { value = JSON.parse(text); } catch (err) {
    throw new ConfigError([`${key}: ${path} is not valid JSON: ${(err as Error).message}`]);
  }
  try { return parseKb(value); } catch (err) {
    // the issues' paths are inside the file (`kb.3.id`): say which setting and file they are in
    if (err instanceof ConfigError && key !== 'kb') throw new ConfigError(err.issues.map((i) => `${key}: ${path}: ${i}`));
    throw err;
  }
}
