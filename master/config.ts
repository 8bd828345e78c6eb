// The master's configuration (YAML or an object), validated with zod; every problem is listed as path: message.
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../protocol/errors.js';
import { findUnknownKeys, suggestKey } from '../daemon/config/unknown-keys.js';
import { MAX_PAYLOAD_BYTES } from '../protocol/decode.js';
import { EmbeddedBrokerConfig } from './broker/broker-config.js';
import { ExternalBrokerConfig } from './link/link-config.js';
import { HttpConfig } from './http/http-config.js';

export const MasterConfig = z.object({
  dataDir: z.string().min(1),
  /** the host name (or address) boxes and browsers use to reach this master: the URLs it prints use it for
   *  listeners on all interfaces, and it must be one of the names in its certificates */
  publicHost: z.string().min(1).optional(),
  /** the embedded aedes broker; ignored when `external` is set */
  broker: EmbeddedBrokerConfig.prefault({}),
  /** connect to an existing broker or cluster instead of embedding one */
  external: ExternalBrokerConfig.nullable().default(null),
  /** the master's own broker user (its password lives in `{dataDir}/service.secret`) */
  serviceUser: z.string().regex(/^[A-Za-z0-9_-]+$/).default('kefu-master'),
  http: HttpConfig.prefault({}),
  commands: z.object({ defaultTimeoutMs: z.number().int().positive().default(30_000) }).prefault({}),
  ingest: z.object({
    maxPayloadBytes: z.number().int().positive().default(MAX_PAYLOAD_BYTES),
    telemetryHistory: z.number().int().positive().default(120),
    /** events received longer ago than this are deleted in the hourly clean-up; until then a copy of one (same
     *  envelope id) is recognised as a copy */
    eventRetentionMs: z.number().int().positive().default(90 * 24 * 3600 * 1000),
  }).prefault({}),
});
export type MasterConfig = z.infer<typeof MasterConfig>;
export type MasterConfigInput = z.input<typeof MasterConfig>;

export function parseMasterConfig(input: unknown): MasterConfig {
  const parsed = MasterConfig.safeParse(input);
  const problems = parsed.success ? [] : parsed.error.issues.filter((i) => i.code !== 'unrecognized_keys').map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  // a misspelt key (`publichost`, `tsl`) would otherwise be dropped in silence, leaving e.g. a listener without TLS
  for (const u of findUnknownKeys(MasterConfig, input)) {
    const hint = suggestKey(u.key, u.known);
    problems.push(`${[...u.path, u.key].join('.')}: unknown key${hint ? ` (did you mean "${hint}"?)` : ''}`);
  }
  if (problems.length || !parsed.success) throw new ConfigError(problems);
  return parsed.data;
}

export async function loadMasterConfigFile(path: string): Promise<unknown> {
  try {
    return parseYaml(await readFile(path, 'utf8')) ?? {};
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError([`${path}: ${code ? `cannot read the master config (${code})` : (err as Error).message}`]);
  }
}

/** Loads and validates a master config file; problems name the file. */
export async function readMasterConfig(path: string): Promise<MasterConfig> {
  const raw = await loadMasterConfigFile(path);
  try {
    return parseMasterConfig(raw);
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(err.issues, `invalid master configuration in ${path}:\n  ${err.issues.join('\n  ')}`);
    throw err;
  }
}
