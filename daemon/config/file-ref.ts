// Settings that name a file or folder the box must be able to read. Each module marks them in its own schema
// (`fileRef(z.string(), 'secret')`), and `kefu doctor` finds every one in a loaded config by walking the schema
// beside the data, so a new setting is checked the day it is declared, without a list to keep in step.
// Pure (zod only): transports and plugins mark their schemas with it without depending on the daemon.
import { z } from 'zod';

/** file: read as is; secret: a password/PIN/key file, which must not be empty; dir: a folder read from */
export type FileRefKind = 'file' | 'secret' | 'dir';

const META_KEY = 'kefuFileRef';

interface Mark { kind: FileRefKind; hint?: string }

/**
 * Marks a string setting as a path the box reads; the mark lives in zod's metadata, so it survives `.optional()`.
 * `hint` says what else the installer can do when the file is missing (a default to fall back on).
 */
export function fileRef<S extends z.ZodType<string | undefined>>(schema: S, kind: FileRefKind = 'file', hint?: string): S {
  return schema.meta({ [META_KEY]: { kind, hint } satisfies Mark }) as S;
}

export interface FileRefUse { path: Array<string | number>; file: string; kind: FileRefKind; hint?: string }

interface Def {
  type: string; shape?: Record<string, z.ZodType>; innerType?: z.ZodType; element?: z.ZodType; valueType?: z.ZodType;
  options?: z.ZodType[]; in?: z.ZodType; out?: z.ZodType; getter?: () => z.ZodType; items?: z.ZodType[]; rest?: z.ZodType | null;
}
const defOf = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;
/** The mark on this very schema (not on one it wraps), if any. */
export const markOf = (s: z.ZodType) => (z.globalRegistry.get(s) as Record<string, unknown> | undefined)?.[META_KEY] as Mark | undefined;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every marked setting `value` (validated by `schema`) sets, with its place under `prefix`. */
export function findFileRefs(schema: z.ZodType, value: unknown, prefix: Array<string | number> = []): FileRefUse[] {
  const out: FileRefUse[] = [];
  walk(schema, value, prefix, out, 0);
  return out;
}

function walk(schema: z.ZodType, value: unknown, path: Array<string | number>, out: FileRefUse[], depth: number): void {
  if (depth > 64 || value === undefined || value === null) return;
  const mark = markOf(schema);
  if (mark && typeof value === 'string') { out.push({ path, file: value, ...mark }); return; }
  const def = defOf(schema);
  switch (def.type) {
    case 'optional': case 'nullable': case 'default': case 'prefault': case 'readonly': case 'catch': case 'nonoptional':
      return walk(def.innerType!, value, path, out, depth + 1);
    case 'pipe': return walk(def.in!, value, path, out, depth + 1);
    case 'lazy': return walk(def.getter!(), value, path, out, depth + 1);
    case 'object':
      if (isRecord(value)) for (const [k, s] of Object.entries(def.shape ?? {})) walk(s, value[k], [...path, k], out, depth + 1);
      return;
    case 'array':
      if (Array.isArray(value)) value.forEach((v, i) => walk(def.element!, v, [...path, i], out, depth + 1));
      return;
    case 'tuple':
      if (Array.isArray(value)) value.forEach((v, i) => { const s = def.items![i] ?? def.rest; if (s) walk(s, v, [...path, i], out, depth + 1); });
      return;
    case 'record':
      if (isRecord(value)) for (const [k, v] of Object.entries(value)) walk(def.valueType!, v, [...path, k], out, depth + 1);
      return;
    case 'union': {
      const option = def.options!.find((o) => o.safeParse(value).success);
      if (option) walk(option, value, path, out, depth + 1);
      return;
    }
    default:
  }
}
