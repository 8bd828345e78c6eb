// Loads the YAML config: parse, apply KEFU__* env overrides, validate the root and every transport/plugin
// section, and report every problem at once as `path: message`.
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../../protocol/errors.js';
import { RootConfig } from './schema.js';

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

export function formatIssues(issues: readonly z.core.$ZodIssue[], prefix: Array<string | number> = []): string[] {
  return issues.map((i) => {
    const path = [...prefix, ...i.path].reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '');
    return `${path || '(root)'}: ${i.message}`;
  });
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
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('KEFU__') || value === undefined) continue;
    const path = name.slice(6).split('__').filter(Boolean);
    let node: Record<string, unknown> = raw;
    let shape = objectShape(RootConfig);
    path.forEach((segment, i) => {
      const same = (k: string) => k.toLowerCase() === segment.toLowerCase();
      const key = Object.keys(node).find(same) ?? Object.keys(shape ?? {}).find(same) ?? segment.toLowerCase();
      shape = objectShape(shape?.[key]);
      if (i === path.length - 1) {
        node[key] = parseDocument(value).toJS();
      } else {
        if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
        node = node[key] as Record<string, unknown>;
      }
    });
  }
}

export function validateConfig(raw: unknown, sections: SectionSchemas, file?: string): LoadedConfig {
  const problems: string[] = [];
  const parsed = RootConfig.safeParse(raw);
  if (!parsed.success) throw new ConfigError(formatIssues(parsed.error.issues));
  const root = parsed.data;
  const baseDir = file ? dirname(resolve(file)) : process.cwd();
  if (!isAbsolute(root.dataDir)) root.dataDir = resolve(baseDir, root.dataDir);

  const transports: LoadedConfig['transports'] = [];
  const seen = new Set<string>();
  root.transports.forEach((t, i) => {
    if (seen.has(t.id)) problems.push(`transports[${i}].id: duplicate transport id "${t.id}"`);
    seen.add(t.id);
    const schema = sections.transports[t.kind];
    if (!schema) { problems.push(`transports[${i}].kind: no transport of kind "${t.kind}" is installed`); return; }
    const r = schema.safeParse(t);
    if (r.success) transports.push(r.data as LoadedConfig['transports'][number]);
    else problems.push(...formatIssues(r.error.issues, ['transports', i]));
  });

  const plugins: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(root.plugins)) {
    const schema = sections.plugins[name];
    if (!schema) { problems.push(`plugins.${name}: unknown plugin (installed: ${(sections.installedPlugins ?? Object.keys(sections.plugins)).join(', ')})`); continue; }
    const r = schema.safeParse(value ?? {});
    if (r.success) plugins[name] = r.data;
    else problems.push(...formatIssues(r.error.issues, ['plugins', name]));
  }
  if (problems.length) throw new ConfigError(problems);
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
  if (doc.errors.length) throw new ConfigError(doc.errors.map((e) => `${file}: ${e.message.split('\n')[0]}`));
  const raw = (doc.toJS() ?? {}) as Record<string, unknown>;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError([`${file}: the top level must be a mapping`]);
  applyEnvOverrides(raw, env);
  return raw;
}
