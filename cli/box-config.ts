// The box config as the box commands load it: found as cli/config-path.ts says; when no file is found anywhere,
// the error lists where it looked instead of blaming the last place.
import { existsSync } from 'node:fs';
import { loadBoxConfig } from '../daemon/builtins.js';
import type { LoadedConfig } from '../daemon/config/load.js';
import { KefuError } from '../protocol/errors.js';
import { DEFAULT_CONFIG_PATHS, resolveConfigPath } from './config-path.js';

export async function loadCliBoxConfig(flag?: string): Promise<LoadedConfig & { file: string }> {
  const file = resolveConfigPath(flag);
  if (!flag && !process.env.KEFU_CONFIG && !existsSync(file)) {
    const tried = DEFAULT_CONFIG_PATHS.map((p) => (p.startsWith('/') ? p : `./${p}`)).join(', ');
    throw new KefuError('CONFIG_NOT_FOUND', `no box config found (looked for ${tried}): pass -c <file> or set KEFU_CONFIG; \`kefu init\` writes one, \`kefu up\` runs a demo`);
  }
  return { ...await loadBoxConfig(file), file };
}
