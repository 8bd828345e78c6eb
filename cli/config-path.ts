// Where the CLI finds the box config: --config, $KEFU_CONFIG, ./kefu.yaml, /etc/kefu/kefu.yaml, then the demo box
// `kefu up` writes (./.kefu/box.yaml), as `kefu master …` finds ./.kefu/master on its own.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const DEFAULT_CONFIG_PATHS = ['kefu.yaml', '/etc/kefu/kefu.yaml', '.kefu/box.yaml'];

export function resolveConfigPath(flag?: string): string {
  if (flag) return resolve(flag);
  if (process.env.KEFU_CONFIG) return resolve(process.env.KEFU_CONFIG);
  return resolve(DEFAULT_CONFIG_PATHS.find((p) => existsSync(p)) ?? DEFAULT_CONFIG_PATHS[1]);
}
