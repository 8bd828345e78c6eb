// Schema of the embedded broker (aedes) section of the master config.
import { z } from 'zod';

const Listener = z.object({ host: z.string().default('0.0.0.0'), port: z.number().int().min(0).max(65535) });

export const EmbeddedBrokerConfig = z.object({
  tcp: Listener.nullable().default({ host: '0.0.0.0', port: 1883 }),
  ws: Listener.extend({ path: z.string().default('/mqtt') }).nullable().default(null),
  tls: Listener.extend({ cert: z.string(), key: z.string() }).nullable().default(null),
  /** bytes of one MQTT packet (fixed header included); protocol payloads are at most 256 KiB */
  maximumPacketSize: z.number().int().min(1024).default(256 * 1024 + 1024),
  /** the largest keepalive (seconds) a client may ask for; 0 (none) is refused too */
  keepaliveLimitS: z.number().int().min(1).max(65535).default(300),
  /** how often running sessions are checked against the credentials store (revoked boxes are closed) */
  revalidateMs: z.number().int().positive().default(5_000),
  connectTimeoutMs: z.number().int().positive().default(10_000),
  connectRate: z.object({ perWindow: z.number().int().positive().default(60), windowMs: z.number().int().positive().default(10_000) }).prefault({}),
});
export type EmbeddedBrokerConfig = z.infer<typeof EmbeddedBrokerConfig>;
export type EmbeddedBrokerConfigInput = z.input<typeof EmbeddedBrokerConfig>;
