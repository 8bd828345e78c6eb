// All checks of `kefu doctor` for one box config: the box's own, the master link, every file the config names,
// then each transport's.
import { configSections } from '../builtins.js';
import type { LoadedConfig } from '../config/load.js';
import { silentLogger } from '../logger.js';
import { readSecret } from '../secrets.js';
import { loadTransports } from '../builtins.js';
import { boxChecks } from './box-checks.js';
import { brokerChecks } from './broker-checks.js';
import type { Check } from './check.js';
import { configFileRefs, fileChecks } from './file-checks.js';

export async function doctorChecks(config: LoadedConfig): Promise<Check[]> {
  const ctx = { log: silentLogger(), dataDir: config.root.dataDir, readSecret };
  const definitions = await loadTransports(config.transports.map((t) => t.kind));
  const schemas = await configSections({ kinds: config.transports.map((t) => t.kind), plugins: Object.keys(config.plugins) });
  const perTransport = config.transports.flatMap((t) => {
    const def = definitions.get(t.kind);
    return (def?.doctor?.(t, ctx) ?? []).map((c) => ({ ...c, name: `${t.id}: ${c.name}` }));
  });
  return [...boxChecks(config), ...brokerChecks(config, definitions, ctx), ...fileChecks(configFileRefs(config, schemas)), ...perTransport];
}
