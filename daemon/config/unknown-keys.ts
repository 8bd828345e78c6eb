// Unknown keys anywhere in a config section, whatever its schema says: a zod object strips keys it does not know
// unless it was declared strict, so a misspelt or misplaced setting in a plugin's or transport's section would
// start the daemon and be silently ignored. Walking the schema beside the data finds them all in one pass, for
// every section alike, without asking each module to declare its nested objects strict. Objects that accept
// extra keys on purpose (`.passthrough()`, `.catchall()`) are left alone.
import type { z } from 'zod';

interface Def {
  type: string; shape?: Record<string, z.ZodType>; catchall?: z.ZodType; innerType?: z.ZodType; element?: z.ZodType;
  items?: z.ZodType[]; rest?: z.ZodType | null; valueType?: z.ZodType; options?: z.ZodType[]; in?: z.ZodType; getter?: () => z.ZodType;
  left?: z.ZodType; right?: z.ZodType;
}

const defOf = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface UnknownKey { path: Array<string | number>; key: string; known: string[] }

/** Keys of `value` that `schema` would drop, with the keys it knows at that place (for a suggestion). */
export function findUnknownKeys(schema: z.ZodType, value: unknown, path: Array<string | number> = [], ignore: readonly string[] = []): UnknownKey[] {
  const out: UnknownKey[] = [];
  walk(schema, value, path, out, ignore, 0);
  return out;
}

function walk(schema: z.ZodType, value: unknown, path: Array<string | number>, out: UnknownKey[], ignore: readonly string[], depth: number): void {
  if (depth > 64 || value === undefined || value === null) return;
  const def = defOf(schema);
  switch (def.type) {
    case 'optional': case 'nullable': case 'default': case 'prefault': case 'readonly': case 'catch': case 'nonoptional':
      return walk(def.innerType!, value, path, out, ignore, depth + 1);
    case 'pipe': return walk(def.in!, value, path, out, ignore, depth + 1);
    case 'lazy': return walk(def.getter!(), value, path, out, ignore, depth + 1);
    case 'object': {
      if (!isRecord(value)) return;
      const shape = def.shape ?? {};
      const open = def.catchall !== undefined && defOf(def.catchall).type !== 'never';
      for (const [k, v] of Object.entries(value)) {
        if (k in shape) walk(shape[k], v, [...path, k], out, [], depth + 1);
        else if (!open && !ignore.includes(k)) out.push({ path, key: k, known: Object.keys(shape) });
      }
      return;
    }
    case 'array':
      if (Array.isArray(value)) value.forEach((v, i) => walk(def.element!, v, [...path, i], out, [], depth + 1));
      return;
    case 'tuple':
      if (Array.isArray(value)) value.forEach((v, i) => { const s = def.items![i] ?? def.rest; if (s) walk(s, v, [...path, i], out, [], depth + 1); });
      return;
    case 'record':
      if (isRecord(value)) for (const [k, v] of Object.entries(value)) walk(def.valueType!, v, [...path, k], out, [], depth + 1);
      return;
    case 'union': {
      // the option the value is valid for; none: the schema's own issues say what is wrong
      const option = def.options!.find((o) => o.safeParse(value).success);
      if (option) walk(option, value, path, out, ignore, depth + 1);
      return;
    }
    case 'intersection':
      return; // either side may own a key: leave it to the schema
    default:
  }
}

/** The closest known key to a misspelt one, when close enough to be a likely typo. */
export function suggestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = distance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) { best = k; bestDistance = d; }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(key.length / 3)) ? best : undefined;
}

/** Levenshtein distance, one row at a time. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}
