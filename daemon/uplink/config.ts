// Tuning of the MQTT link (the root schema may compose it as `uplink:`; every field has a default).
import { z } from 'zod';

export const UplinkConfig = z.object({
  /** un-acked QoS 1 publishes at a time: the round trip to the master's commit times the rate (1,024 carries
   * 20,000+ events/s on loopback; 256 capped it near 17,000). A slow link caps it lower (`inflight` on ble). */
  inflightWindow: z.number().int().min(1).max(65_000).default(1024),
  /** first wait after a failed connect, doubling (with jitter) per failure up to reconnectMaxMs; a refused login
   *  waits reconnectMaxMs at once (replacing master.passwordFile cuts it short). A session that was up reconnects
   *  after about reconnectPeriodMs. */
  reconnectPeriodMs: z.number().int().min(100).max(60_000).default(1000),
  reconnectMaxMs: z.number().int().min(1000).max(3600_000).default(60_000),
  connectTimeoutMs: z.number().int().min(1000).max(120_000).default(10_000),
  /** minimum interval between two `tel/{name}` messages of one name */
  telemetryIntervalMs: z.number().int().min(100).default(1000),
  /** how often the outbox counters go out on `tel/outbox` */
  outboxTelemetryMs: z.number().int().min(1000).default(10_000),
  /** persistent session: the broker queues commands while the box is away (delivery never depends on it) */
  clean: z.boolean().default(false),
}).strict();
export type UplinkConfig = z.infer<typeof UplinkConfig>;
