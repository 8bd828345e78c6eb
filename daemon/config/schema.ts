// The root config schema. Transports and plugins own their schemas; the root validates them by kind/name.
import { z } from 'zod';
import { OutboxConfig } from '../outbox/config.js';
import { UplinkConfig } from '../uplink/config.js';
import { ID_PATTERN } from '../../protocol/topics.js';
import { OutboxClass, TransportKind } from '../../protocol/schemas.js';
import { ManagerOptions } from '../../transports/manager/options.js';
import { fileRef } from './file-ref.js';

const id = z.string().regex(ID_PATTERN, 'lower-case letters, digits, _ and -, starting with a letter or digit');

export const BoxSection = z.object({ id, region: id });

export const MasterSection = z.object({
  url: z.string().regex(/^(mqtts?|tcp|tls|ssl):\/\/[^/]+$/, 'an MQTT url like mqtts://host:8883'),
  username: z.string().optional(),
  passwordFile: fileRef(z.string(), 'secret').optional(),
  caFile: fileRef(z.string()).optional(),
  /** plain MQTT off loopback is refused unless this is set (a lab network, a VPN) */
  insecure: z.boolean().default(false),
  keepaliveSeconds: z.number().int().min(1).max(600).default(5),
}).strict();

/** where the files of a box with HTTPS usually come from */
const TLS_HINT = '`kefu init --tls` writes box.crt, box.key and the hall CA (ca.crt) into tls/ beside the config it writes';

export const HttpSection = z.object({
  host: z.string().default('0.0.0.0'),
  port: z.number().int().min(0).max(65535).default(8443),
  tls: z.object({ cert: fileRef(z.string(), 'file', TLS_HINT), key: fileRef(z.string(), 'secret', TLS_HINT) }).strict().optional(),
  bodyLimitBytes: z.number().int().positive().default(10 * 1024 * 1024),
}).strict();

/** Fields every transport has; the rest is checked by the transport's own schema. */
export const TransportCommon = z.object({
  id,
  kind: TransportKind,
  classes: z.array(OutboxClass).optional(),
}).passthrough();

/** the outbox's own section (daemon/outbox/config.ts) */
export const OutboxSection = OutboxConfig;

export const CommandsSection = z.object({
  /** Globs of commands the master may run here (`system.*`). Default: every registered command except `shell.*`. */
  allow: z.array(z.string()).default(['*']),
  deny: z.array(z.string()).default(['shell.*', 'modem.at']),
}).strict();

export const RootConfig = z.object({
  box: BoxSection,
  master: MasterSection,
  dataDir: z.string().default('/var/lib/kefu'),
  log: z.object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') }).strict().default({ level: 'info' }),
  http: HttpSection.default({ host: '0.0.0.0', port: 8443, bodyLimitBytes: 10 * 1024 * 1024 }),
  transports: z.array(TransportCommon).min(1, 'at least one transport'),
  /** link selection: probes, gates, hold-down, per-link policy; the order defaults to the transports' order */
  failover: ManagerOptions.optional(),
  outbox: OutboxSection.prefault({}),
  /** the MQTT link's tuning (daemon/uplink/config.ts) */
  uplink: UplinkConfig.prefault({}),
  commands: CommandsSection.default({ allow: ['*'], deny: ['shell.*', 'modem.at'] }),
  plugins: z.record(z.string(), z.unknown()).default({}),
}).strict();

export type RootConfig = z.infer<typeof RootConfig>;
