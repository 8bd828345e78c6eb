// The chat plugin's configuration section (`plugins.chat` in the box's YAML).
import { z } from 'zod';
import { fileRef } from '../../daemon/config/file-ref.js';
import { HOURS_PRESETS, hoursSchema } from './hours.js';

const mode = z.enum(['ai_only', 'ai_first', 'human_only']);
/** a preset's name (any other word would only fail when the first customer arrives) or explicit hours */
const hours = z.union([z.string(), hoursSchema]).refine((h) => typeof h !== 'string' || h in HOURS_PRESETS,
  { message: `unknown business-hours preset (known: ${Object.keys(HOURS_PRESETS).join(', ')}; or {timeZone, week, closedDates})` });

export const chatConfigSchema = z.object({
  /** knowledge base file in the kb.json format; edited by operators, reloaded with `chat.kb.reload`.
   *  Default: {dataDir}/chat/kb.json, seeded from the bundled tax-hall sample on first start. */
  kb: fileRef(z.string().min(1), 'file', 'or leave plugins.chat.kb out: the box then copies the bundled tax-hall sample KB to <dataDir>/chat/kb.json on first start').optional(),
  /** add the product's phrasing packs (plugins/chat/phrasings/: how customers ask the standard tax-hall questions)
   *  to the KB entries whose question they know; the KB file itself is never changed */
  phrasings: z.boolean().default(true),
  /** per-business mode; businesses not listed use defaultMode (complaints are human_only unless set) */
  modes: z.record(z.string(), mode).default({}),
  defaultMode: mode.default('ai_first'),
  /** a preset name (cn-default, always) or explicit hours; businessHoursBy overrides per business */
  businessHours: hours.default('cn-default'),
  businessHoursBy: z.record(z.string(), hours).default({}),
  queue: z.object({
    overflowAfterSec: z.number().positive().default(120),
    /** skill → related skills allowed to help after the overflow timeout */
    related: z.record(z.string(), z.array(z.string())).default({}),
    /** agents with this skill help any queue after the overflow timeout (null: only `related`) */
    fallbackSkill: z.string().nullable().default('general'),
    defaultHandleSec: z.number().positive().default(180),
    tickMs: z.number().int().positive().default(1000),
  }).prefault({}),
  limits: z.object({
    fileBytes: z.number().int().positive().default(512 * 1024),
    textChars: z.number().int().positive().default(2000),
    /** a bot-only conversation idle this long is closed (the kiosk user walked away) */
    idleCloseMin: z.number().positive().default(30),
    /** a customer whose terminal went away and did not come back within this long has abandoned the chat:
     *  it leaves the queue or frees the agent (the history stays); a reconnect within it resumes as if nothing happened */
    reconnectGraceSec: z.number().positive().default(120),
    /** messages per terminal per 10 s, beyond which a terminal is told to slow down */
    messagesPer10s: z.number().int().positive().default(50),
  }).prefault({}),
  /** canned answers offered in the agent console */
  canned: z.array(z.object({ title: z.string(), text: z.string() })).default([]),
  /** agents provisioned from config; passwords by file reference holding an scrypt hash or the plain password */
  agents: z.array(z.object({
    id: z.string().min(1), name: z.string().min(1), skills: z.array(z.string()).min(1),
    capacity: z.number().int().positive().default(3), role: z.enum(['agent', 'supervisor']).default('agent'),
    passwordFile: fileRef(z.string().min(1), 'secret'),
  })).default([]),
});

export type ChatConfig = z.infer<typeof chatConfigSchema>;
export type ChatConfigInput = z.input<typeof chatConfigSchema>;
