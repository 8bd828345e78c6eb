// The plugins and transports this build ships. Each entry names its config schema (light) and a loader for
// its implementation (heavy: ONNX, werift, jieba, node-ble…), so a box loads only what its config enables.
import type { z } from 'zod';
import type { PluginDefinition } from './plugin-api.js';
import type { TransportDefinition } from '../transports/transport.js';
import { readConfigFile, validateConfig, type LoadedConfig, type SectionSchemas } from './config/load.js';

interface Entry<D> { schema(): Promise<z.ZodType>; load(): Promise<D> }
type PluginEntry = Entry<PluginDefinition> & { name: string };
type TransportEntry = Entry<TransportDefinition> & { kinds: string[] };

const def = <D>(m: { default: unknown }) => m.default as D;

export const plugins: PluginEntry[] = [
  { name: 'system', schema: async () => def<PluginDefinition>(await import('../plugins/system/index.js')).config, load: async () => def(await import('../plugins/system/index.js')) },
  { name: 'chat', schema: async () => (await import('../plugins/chat/config.js')).chatConfigSchema, load: async () => def(await import('../plugins/chat/index.js')) },
  { name: 'faceauth', schema: async () => (await import('../plugins/faceauth/config.js')).faceauthConfigSchema, load: async () => def(await import('../plugins/faceauth/index.js')) },
  { name: 'video', schema: async () => (await import('../plugins/video/config.js')).videoConfig, load: async () => def(await import('../plugins/video/index.js')) },
];

export const transports: TransportEntry[] = [
  { kinds: ['nr5g', 'lte'], schema: async () => (await import('../transports/cellular/config.js')).CellularConfigSchema, load: async () => def(await import('../transports/cellular/index.js')) },
  { kinds: ['wired'], schema: async () => (await import('../transports/wired/wired.js')).WiredConfig, load: async () => def(await import('../transports/wired/index.js')) },
  { kinds: ['ble'], schema: async () => (await import('../transports/ble/config.js')).BleConfig, load: async () => def(await import('../transports/ble/index.js')) },
];

export const pluginNames = plugins.map((p) => p.name);

/**
 * The config schemas of every transport kind and plugin, or only of those `used` names: a schema's module is
 * loaded with it, and a box should not load the modem or face tooling to read a config that enables neither.
 */
export async function configSections(used?: { kinds: string[]; plugins: string[] }): Promise<SectionSchemas> {
  const sections: SectionSchemas = { transports: {}, plugins: {}, installedPlugins: pluginNames };
  for (const t of transports) {
    if (used && !t.kinds.some((k) => used.kinds.includes(k))) continue;
    const schema = await t.schema();
    for (const k of t.kinds) sections.transports[k] = schema;
  }
  for (const p of plugins) if (!used || used.plugins.includes(p.name)) sections.plugins[p.name] = await p.schema();
  return sections;
}

/** The definitions of the plugins a config enables, loaded now. */
export async function loadPlugins(names: string[]): Promise<PluginDefinition[]> {
  return Promise.all(plugins.filter((p) => names.includes(p.name)).map((p) => p.load()));
}

/** The transport definition for each kind a config uses, loaded now. */
export async function loadTransports(kinds: string[]): Promise<Map<string, TransportDefinition>> {
  const out = new Map<string, TransportDefinition>();
  for (const t of transports) {
    if (!t.kinds.some((k) => kinds.includes(k))) continue;
    const d = await t.load();
    for (const k of t.kinds) out.set(k, d);
  }
  return out;
}

/** Loads a box config; the `system` plugin is always enabled. */
export async function loadBoxConfig(file: string): Promise<LoadedConfig> {
  const raw = await readConfigFile(file);
  const kinds = Array.isArray(raw.transports) ? raw.transports.map((t) => String((t as { kind?: unknown } | null)?.kind)) : [];
  const named = typeof raw.plugins === 'object' && raw.plugins !== null ? Object.keys(raw.plugins) : [];
  const sections = await configSections({ kinds, plugins: ['system', ...named] });
  const config = validateConfig(raw, sections, file);
  config.plugins.system ??= sections.plugins.system.parse({});
  return config;
}
