// The Bluetooth link's config schema (kept apart so validating a config does not load node-ble).
import { z } from 'zod';
import { OutboxClass } from '../../protocol/schemas.js';

export const BleConfig = z.object({
  id: z.string().min(1),
  kind: z.literal('ble').default('ble'),
  /** the relay's Bluetooth address */
  peer: z.string().regex(/^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$/, 'a Bluetooth address like AA:BB:CC:DD:EE:FF'),
  adapter: z.string().optional(),
  /** BlueZ's bus; the system bus when unset (tests point it at a private bus) */
  busAddress: z.string().optional(),
  mtu: z.number().int().min(23).max(517).optional(),
  window: z.number().int().min(1).max(256).default(16),
  /** un-acked MQTT publishes on this link (a few seconds of its throughput; the uplink's window is sized for LAN/cellular) */
  inflight: z.number().int().min(1).max(1024).default(32),
  classes: z.array(OutboxClass).default(['critical', 'event']),
  reconnectMs: z.number().int().positive().default(1000),
  maxReconnectMs: z.number().int().positive().default(15_000),
  connectTimeoutMs: z.number().int().positive().default(15_000),
});
export type BleConfig = z.input<typeof BleConfig>;
