// Loads, validates and matches firmware profiles. Adding a modem = adding a YAML file; nothing here knows vendors.
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../../protocol/errors.js';
import { globMatch } from './glob.js';
import { formatIssues, ProfileSchema, type Profile, type Units } from './profile-schema.js';

export const DEFAULT_PROFILE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../firmware-profiles');

/** Validates one profile document; throws ConfigError listing every problem as `file: path: message`. */
export function validateProfile(doc: unknown, file = 'profile'): Profile {
  const r = ProfileSchema.safeParse(doc);
  if (!r.success) throw new ConfigError(formatIssues(r.error, `${file}: `));
  return r.data;
}

export async function loadProfiles(dir = DEFAULT_PROFILE_DIR): Promise<Profile[]> {
  const files = (await readdir(dir)).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
  const issues: string[] = [];
  const out: Profile[] = [];
  for (const f of files) {
    const text = await readFile(join(dir, f), 'utf8');
    let doc: unknown;
    try { doc = f.endsWith('.json') ? JSON.parse(text) : parseYaml(text); } catch (e) { issues.push(`${f}: (root): ${(e as Error).message.split('\n')[0]}`); continue; }
    try { out.push(validateProfile(doc, f)); } catch (e) { issues.push(...((e as ConfigError).issues ?? [String(e)])); }
  }
  const names = new Set<string>();
  for (const p of out) { if (names.has(p.name)) issues.push(`${p.name}: name: duplicate profile name`); names.add(p.name); }
  if (issues.length) throw new ConfigError(issues);
  return out;
}

export interface Identity { ati?: string; cgmr?: string }

/** The first specific profile whose globs match ATI or AT+CGMR text, else the fallback. */
export function matchProfile(profiles: Profile[], id: Identity): Profile | null {
  const hit = (p: Profile) => (id.ati !== undefined && p.match.ati.some((g) => globMatch(g, id.ati!)))
    || (id.cgmr !== undefined && p.match.cgmr.some((g) => globMatch(g, id.cgmr!)));
  return profiles.find((p) => !p.fallback && hit(p)) ?? profiles.find((p) => p.fallback) ?? null;
}

/** Units every profile of a vendor agrees on (for `--vendor` without `--firmware`); disagreements stay unknown. */
export function vendorUnits(profiles: Profile[], vendor: string): Units {
  const mine = profiles.filter((p) => p.vendor === vendor);
  if (mine.length === 0) return {};
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(mine[0].units) as (keyof Units)[]) {
    const first = JSON.stringify(mine[0].units[key]);
    if (mine.every((p) => JSON.stringify(p.units[key]) === first)) out[key] = mine[0].units[key];
  }
  return out as Units;
}
