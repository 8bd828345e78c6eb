// The schema of a firmware profile (firmware-profiles/*.yaml): everything model-specific, as data.
import { z } from 'zod';
import { PARSERS } from './at/registry.js';

const parserName = z.string().refine((p) => p in PARSERS, { message: `unknown parser (known: ${Object.keys(PARSERS).join(', ')})` });

const step = z.object({
  cmd: z.string().regex(/^AT/i, 'must start with AT'),
  /** substring (or /regex/) the reply must contain; omitted = the final OK is enough */
  expect: z.string().optional(),
  timeoutMs: z.number().int().positive().max(300_000).default(5000),
  /** continue when the step fails (e.g. a setting older firmware rejects) */
  optional: z.boolean().default(false),
}).strict();

const poll = z.object({
  cmd: z.string().regex(/^AT/i, 'must start with AT'),
  parser: parserName,
  intervalMs: z.number().int().min(200).max(3_600_000),
  timeoutMs: z.number().int().positive().max(60_000).default(3000),
}).strict();

const scale = z.enum(['tenths', 'whole', 'auto']);

export const UnitsSchema = z.object({
  qengLteSinr: z.object({ scale: z.number(), offset: z.number() }).strict().optional(),
  qengNrSaCol15: z.enum(['scs', 'tx_power']).optional(),
  cpsiPower: scale.optional(),
  cpsiLteSnr: scale.optional(),
  cpsiNrSnr: scale.optional(),
}).strict();

export const ProfileSchema = z.object({
  name: z.string().regex(/^[a-z0-9-]+$/, 'lower-case kebab name'),
  vendor: z.enum(['quectel', 'simcom', 'huawei', 'ublox', 'generic']),
  models: z.array(z.string()).min(1),
  /** the catch-all profile, used only when nothing else matches */
  fallback: z.boolean().default(false),
  match: z.object({
    ati: z.array(z.string()).default([]),
    cgmr: z.array(z.string()).default([]),
  }).strict(),
  usb: z.array(z.object({ vid: z.string().regex(/^[0-9a-f]{4}$/i), pid: z.string().regex(/^[0-9a-f]{4}$/i),
    /** USB interface number of the AT port (from the by-id name / pnpId `-ifNN`) */
    interface: z.string().regex(/^\d{2}$/).optional() }).strict()).default([]),
  capabilities: z.object({
    rats: z.array(z.enum(['GSM', 'WCDMA', 'LTE', 'NR5G-SA', 'NR5G-NSA'])).min(1),
  }).strict(),
  init: z.array(step).default([]),
  verify: z.array(step).default([]),
  sim: z.object({ query: z.string().default('AT+CPIN?'), enterPin: z.string().default('AT+CPIN="{pin}"') }).strict().default({ query: 'AT+CPIN?', enterPin: 'AT+CPIN="{pin}"' }),
  data: z.object({
    cid: z.number().int().min(1).max(15).default(1),
    setup: z.array(step).default([]),
    connect: z.array(step).min(1),
    disconnect: z.array(step).default([]),
    address: poll.omit({ intervalMs: true }).extend({ intervalMs: z.number().int().optional() }),
  }).strict(),
  registration: z.array(poll).min(1),
  signal: z.array(poll).min(1),
  /** URC prefixes that mean "look again now" (besides +CxREG / +CGEV, which every profile gets) */
  urcs: z.array(z.string().regex(/^[+^]/)).default([]),
  units: UnitsSchema.default({}),
  broken: z.array(z.object({ cmd: z.string(), reason: z.string() }).strict()).default([]),
  reset: z.object({
    soft: z.array(step).min(1),
    hard: z.array(step).min(1),
    /** settle time after a hard reset before the port is looked for again */
    rebootMs: z.number().int().positive().default(20_000),
  }).strict(),
}).strict();

export type Profile = z.infer<typeof ProfileSchema>;
export type ProfileStep = z.infer<typeof step>;
export type ProfilePoll = z.infer<typeof poll>;
export type Units = z.infer<typeof UnitsSchema>;

/** zod issues as `path: message` lines. */
export function formatIssues(err: z.ZodError, prefix = ''): string[] {
  return err.issues.map((i) => `${prefix}${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
}
