// The box's command catalogue: what `commands.list` answers (name, description, argument JSON Schema) and how
// arguments are read, the same way for every command, from the master and from the local CLI.
import { z } from 'zod';

export interface CommandInfo {
  /** one line for the catalogue (and README's table): what it does, and any condition (config key) it needs */
  description?: string;
}

export interface CatalogueEntry {
  name: string;
  description: string;
  /** JSON Schema (draft 2020-12) of the `args` object, as the sender writes it */
  args: Record<string, unknown>;
  /** other spellings the router accepts for it (the local control socket's names) */
  aliases?: string[];
  /** whether this box's allow-list lets the master run it */
  allowed: boolean;
}

export function argsJsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _, ...json } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return json;
}

type Json = Record<string, unknown>;

function typeOf(s: Json): string {
  if (Array.isArray(s.enum)) return s.enum.map((v) => JSON.stringify(v)).join('|');
  if (Array.isArray(s.anyOf)) return (s.anyOf as Json[]).map(typeOf).join('|');
  const t = Array.isArray(s.type) ? s.type.join('|') : s.type;
  if (t === 'array') return `${typeOf((s.items as Json | undefined) ?? {})}[]`;
  if (t === 'object') return s.properties && Object.keys(s.properties).length ? argsSignature(s) : 'object';
  return typeof t === 'string' ? t : 'any';
}

/** The args at a glance (`{id: string, timeoutMs?: integer}`), for error messages and the README table. */
export function argsSignature(json: Json): string {
  const props = (json.properties ?? {}) as Record<string, Json>;
  const required = new Set((json.required ?? []) as string[]);
  const fields = Object.entries(props).map(([k, v]) => `${k}${required.has(k) ? '' : '?'}: ${typeOf(v)}`);
  return fields.length ? `{${fields.join(', ')}}` : '{}';
}

const issuesText = (issues: readonly z.core.$ZodIssue[]) => issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');

/**
 * Reads a command's args. Left out, they count as `{}` (a command with no required field needs no '{}'); a refusal
 * names the fields the command takes.
 */
export function parseArgs(name: string, schema: z.ZodType, raw: unknown): { ok: true; args: unknown } | { ok: false; message: string } {
  // args left out are read as `{}`: a refusal then names the required fields, not "received undefined"
  const parsed = schema.safeParse(raw === undefined ? {} : raw);
  if (!parsed.success && raw === undefined) {
    const bare = schema.safeParse(undefined); // a command whose args are not an object at all
    if (bare.success) return { ok: true, args: bare.data };
  }
  if (parsed.success) return { ok: true, args: parsed.data };
  return { ok: false, message: `${issuesText(parsed.error.issues)} (${name} takes args ${argsSignature(argsJsonSchema(schema))})` };
}
