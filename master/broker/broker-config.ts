// Schema of the embedded broker (aedes) section of the master config. Plain listeners default to loopback: a
// password sent over plain MQTT or WebSocket off this machine travels in clear, so anything on 0.0.0.0 should be TLS.
import { z } from 'zod';

const TlsFiles = z.object({ cert: z.string().min(1), key: z.string().min(1) });
const Listener = (host: string) => z.object({ host: z.string().default(host), port: z.number().int().min(0).max(65535) });

export const EmbeddedBrokerConfig = z.object({
  tcp: Listener('127.0.0.1').nullable().default({ host: '127.0.0.1', port: 1883 }),
  /** MQTT over WebSocket; with `tls` it is wss:// (what a box off this machine should use) */
  ws: Listener('127.0.0.1').extend({ path: z.string().default('/mqtt'), tls: TlsFiles.optional() }).nullable().default(null),
  tls: Listener('0.0.0.0').extend(TlsFiles.shape).nullable().default(null),
  /** bytes of one MQTT packet (fixed header included); protocol payloads are at most 256 KiB */
  maximumPacketSize: z.number().int().min(1024).default(256 * 1024 + 1024),
  /** the largest keepalive (seconds) a client may ask for; 0 (none) is refused too */
  keepaliveLimitS: z.number().int().min(1).max(65535).default(300),
  /** how often running sessions are checked against the credentials store (revoked or rotated boxes are closed) */
  revalidateMs: z.number().int().positive().default(5_000),
  connectTimeoutMs: z.number().int().positive().default(10_000),
  connectRate: z.object({ perWindow: z.number().int().positive().default(60), windowMs: z.number().int().positive().default(10_000) }).prefault({}),
});
export type EmbeddedBrokerConfig = z.infer<typeof EmbeddedBrokerConfig>;
export type EmbeddedBrokerConfigInput = z.input<typeof EmbeddedBrokerConfig>;
