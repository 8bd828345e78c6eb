// The plugins and transports this build ships, and the config loader that knows their schemas.
import type { z } from 'zod';
import type { PluginDefinition } from './plugin-api.js';
import type { TransportDefinition } from '../transports/transport.js';
import { loadConfigFile, type LoadedConfig, type SectionSchemas } from './config/load.js';
import system from '../plugins/system/index.js';
import chat from '../plugins/chat/index.js';
import faceauth from '../plugins/faceauth/index.js';
import video from '../plugins/video/index.js';
import wired from '../transports/wired/index.js';
import cellular from '../transports/cellular/index.js';
import ble from '../transports/ble/index.js';

export const pluginDefinitions = [system, chat, faceauth, video] as unknown as PluginDefinition[];

export const transportDefinitions = [cellular, wired, ble] as unknown as TransportDefinition[];

export function configSections(): SectionSchemas {
  const transports: Record<string, z.ZodType> = {};
  for (const def of transportDefinitions) for (const kind of [def.kind].flat()) transports[kind] = def.config;
  return { transports, plugins: Object.fromEntries(pluginDefinitions.map((d) => [d.name, d.config])) };
}

/** Loads a box config; the `system` plugin is always enabled. */
export async function loadBoxConfig(file: string): Promise<LoadedConfig> {
  const config = await loadConfigFile(file, configSections());
  config.plugins.system ??= pluginDefinitions.find((d) => d.name === 'system')!.config.parse({});
  return config;
}
