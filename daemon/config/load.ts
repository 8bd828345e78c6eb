// Loads the YAML config: parse, apply KEFU__* env overrides, validate the root and every transport/plugin
// section, and report every problem at once as `path: message`.
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../../protocol/errors.js';
import { RootConfig, TransportCommon } from './schema.js';
import { describePath } from './issue-path.js';
import { findUnknownKeys, suggestKey } from './unknown-keys.js';
import { TransportKind } from '../../protocol/schemas.js';

export interface SectionSchemas {
  transports: Record<string, z.ZodType>;   // by kind
  plugins: Record<string, z.ZodType>;      // by plugin name
  /** every installed plugin, when `plugins` holds only the schemas a config uses */
  installedPlugins?: string[];
}

export interface LoadedConfig {
  root: RootConfig;
  /** validated transport configs, in preference order */
  transports: Array<Record<string, unknown> & { id: string; kind: string }>;
  /** validated plugin configs by name */
  plugins: Record<string, unknown>;
  file?: string;
}

/** Where KEFU__* variables wrote into the raw config (`http.port` → KEFU__HTTP__PORT), to name them in errors. */
const ENV_SOURCES = Symbol('kefu.envSources');
type EnvSources = Array<{ path: string[]; name: string }>;
type Path = Array<string | number>;

/** What a problem's place is named against: the whole raw config (entries by id), and what KEFU__ variables set. */
interface Where { raw: unknown; env?: EnvSources }

/** `path: message`, naming the environment variable that set (a parent of) `path`, so the user does not look for it in the file. */
function blame(path: readonly PropertyKey[], message: string, where: Where, sourcePath: readonly PropertyKey[] = path): string {
  const full = sourcePath.map(String);
  const source = where.env?.find((e) => e.path.length <= full.length && e.path.every((p, i) => p.toLowerCase() === full[i].toLowerCase()));
  return `${describePath(path, where.raw) || '(root)'}: ${message}${source ? ` (from the environment variable ${source.name}, not the file)` : ''}`;
}

function formatIssues(issues: readonly z.core.$ZodIssue[], prefix: Path, where: Where): string[] {
  // unknown keys are reported by findUnknownKeys, one per key with a suggestion
  return issues.filter((i) => i.code !== 'unrecognized_keys').map((i) => blame([...prefix, ...i.path], i.message, where));
}

function unknownKeyIssues(schema: z.ZodType, value: unknown, prefix: Path, where: Where, ignore: readonly string[] = []): string[] {
  return findUnknownKeys(schema, value, prefix, ignore).map((u) => {
    const hint = suggestKey(u.key, u.known);
    return blame(u.path, `Unrecognized key: "${u.key}"${hint ? ` (did you mean "${hint}"?)` : ''}`, where, [...u.path, u.key]);
  });
}

/** Every problem of one section: the schema's own issues and the keys it would silently drop. */
function checkSection(schema: z.ZodType, value: unknown, prefix: Path, where: Where, ignore: readonly string[] = []) {
  const r = schema.safeParse(value);
  const problems = [...(r.success ? [] : formatIssues(r.error.issues, prefix, where)), ...unknownKeyIssues(schema, value, prefix, where, ignore)];
  return { data: r.success ? r.data : undefined, problems };
}

/** The object schema inside default/optional wrappers, to learn the spelling of keys not in the file. */
function objectShape(schema: unknown): Record<string, unknown> | undefined {
  let s = schema as { shape?: Record<string, unknown>; _zod?: { def?: { innerType?: unknown } } } | undefined;
  for (let i = 0; i < 5 && s; i++) {
    if (s.shape) return s.shape;
    s = s._zod?.def?.innerType as typeof s;
  }
  return undefined;
}

/** `KEFU__BOX__ID=hall-02` sets box.id; keys match case-insensitively; values are YAML scalars. */
export function applyEnvOverrides(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): void {
  const sources: EnvSources = [];
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('KEFU__') || value === undefined) continue;
    const path = name.slice(6).split('__').filter(Boolean);
    const written: string[] = [];
    let node: Record<string, unknown> = raw;
    let shape = objectShape(RootConfig);
    path.forEach((segment, i) => {
      const same = (k: string) => k.toLowerCase() === segment.toLowerCase();
      const key = Object.keys(node).find(same) ?? Object.keys(shape ?? {}).find(same) ?? segment.toLowerCase();
      written.push(key);
      shape = objectShape(shape?.[key]);
      if (i === path.length - 1) {
        node[key] = parseDocument(value).toJS();
      } else {
        if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
        node = node[key] as Record<string, unknown>;
      }
    });
    if (written.length) sources.push({ path: written, name });
  }
  // the longest path first: the most precise variable is the one to blame
  sources.sort((a, b) => b.path.length - a.path.length);
  Object.defineProperty(raw, ENV_SOURCES, { value: sources, enumerable: false, configurable: true });
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Validates the root, every transport and every plugin section independently, so one pass reports every
 * problem: a broken root does not hide a plugin's error until it is fixed.
 */
export function validateConfig(raw: unknown, sections: SectionSchemas, file?: string): LoadedConfig {
  const where: Where = { raw, env: isRecord(raw) ? (raw as { [ENV_SOURCES]?: EnvSources })[ENV_SOURCES] : undefined };
  const rootCheck = checkSection(RootConfig, raw, [], where);
  const problems = [...rootCheck.problems];
  const input = isRecord(raw) ? raw : {};

  const transports: LoadedConfig['transports'] = [];
  const seen = new Set<string>();
  (Array.isArray(input.transports) ? input.transports : []).forEach((t: unknown, i) => {
    if (!isRecord(t)) return; // the root's issues say what it should be
    if (typeof t.id === 'string') {
      if (seen.has(t.id)) problems.push(blame(['transports', i, 'id'], `duplicate transport id "${t.id}"`, where));
      seen.add(t.id);
    }
    if (typeof t.kind !== 'string' || !TransportKind.safeParse(t.kind).success) return; // reported by the root
    const schema = sections.transports[t.kind];
    if (!schema) { problems.push(blame(['transports', i, 'kind'], `no transport of kind "${t.kind}" is installed`, where)); return; }
    // the fields every transport has are the root's (TransportCommon), whether or not the kind's schema names them
    const r = checkSection(schema, t, ['transports', i], where, Object.keys(TransportCommon.shape));
    if (r.data) transports.push(r.data as LoadedConfig['transports'][number]);
    problems.push(...r.problems);
  });

  const plugins: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(isRecord(input.plugins) ? input.plugins : {})) {
    const schema = sections.plugins[name];
    if (!schema) {
      const known = sections.installedPlugins ?? Object.keys(sections.plugins);
      const hint = suggestKey(name, known);
      problems.push(blame(['plugins', name], `unknown plugin${hint ? ` (did you mean "${hint}"?)` : ''} (installed: ${known.join(', ')})`, where));
      continue;
    }
    const r = checkSection(schema, value ?? {}, ['plugins', name], where);
    if (r.data !== undefined) plugins[name] = r.data;
    problems.push(...r.problems);
  }
  const unique = [...new Set(problems)];
  if (unique.length || !rootCheck.data) {
    const issues = unique.length ? unique : ['(root): invalid'];
    throw new ConfigError(issues, `invalid configuration${file ? ` in ${file}` : ''}:\n  ${issues.join('\n  ')}`);
  }
  const root = rootCheck.data as RootConfig;
  const baseDir = file ? dirname(resolve(file)) : process.cwd();
  if (!isAbsolute(root.dataDir)) root.dataDir = resolve(baseDir, root.dataDir);
  return { root, transports, plugins, file };
}

export async function loadConfigFile(file: string, sections: SectionSchemas, env: NodeJS.ProcessEnv = process.env): Promise<LoadedConfig> {
  return validateConfig(await readConfigFile(file, env), sections, file);
}

/** The config file as plain data with the env overrides applied, not yet validated. */
export async function readConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError([`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`]);
  }
  const doc = parseDocument(text, { prettyErrors: true });
  // the first line of yaml's message ends with a colon that introduces the excerpt we leave out
  if (doc.errors.length) throw new ConfigError(doc.errors.map((e) => `${file}: ${e.message.split('\n')[0].replace(/:\s*$/, '')}`));
  const raw = (doc.toJS() ?? {}) as Record<string, unknown>;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError([`${file}: the top level must be a mapping`]);
  applyEnvOverrides(raw, env);
  return raw;
}
