// All checks of `kefu doctor` for one box config: the box's own, then each transport's.
import type { LoadedConfig } from '../config/load.js';
import { silentLogger } from '../logger.js';
import { readSecret } from '../secrets.js';
import { transportDefinitions } from '../builtins.js';
import { boxChecks } from './box-checks.js';
import type { Check } from './check.js';

export function doctorChecks(config: LoadedConfig): Check[] {
  const ctx = { log: silentLogger(), dataDir: config.root.dataDir, readSecret };
  const perTransport = config.transports.flatMap((t) => {
    const def = transportDefinitions.find((d) => [d.kind].flat().includes(t.kind as never));
    return (def?.doctor?.(t, ctx) ?? []).map((c) => ({ ...c, name: `${t.id}: ${c.name}` }));
  });
  return [...boxChecks(config), ...perTransport];
}
