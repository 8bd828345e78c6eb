// Where the CLI finds the box config: --config, $KEFU_CONFIG, ./kefu.yaml, then /etc/kefu/kefu.yaml.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const DEFAULT_CONFIG_PATHS = ['kefu.yaml', '/etc/kefu/kefu.yaml'];

export function resolveConfigPath(flag?: string): string {
  if (flag) return resolve(flag);
  if (process.env.KEFU_CONFIG) return resolve(process.env.KEFU_CONFIG);
  return resolve(DEFAULT_CONFIG_PATHS.find((p) => existsSync(p)) ?? DEFAULT_CONFIG_PATHS[1]);
}
