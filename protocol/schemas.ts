// zod schemas of every payload in the MQTT contract. Both ends validate with these.
import { z } from 'zod';

export const PROTOCOL_VERSION = 1;
const v = z.literal(PROTOCOL_VERSION);

export const OUTBOX_CLASSES = ['critical', 'event', 'telemetry', 'bulk'] as const;
export const OutboxClass = z.enum(OUTBOX_CLASSES);
export type OutboxClass = z.infer<typeof OutboxClass>;

export const TRANSPORT_KINDS = ['nr5g', 'lte', 'wired', 'ble'] as const;
export const TransportKind = z.enum(TRANSPORT_KINDS);
export type TransportKind = z.infer<typeof TransportKind>;

export const StateMessage = z.object({
  v,
  online: z.boolean(),
  ts: z.number().int(),
  version: z.string().optional(),
  transport: z.object({ id: z.string(), kind: TransportKind, quality: z.number().min(0).max(1).nullable() }).nullable().optional(),
  plugins: z.record(z.string(), z.enum(['stopped', 'starting', 'running', 'failed', 'stopping'])).optional(),
});
export type StateMessage = z.infer<typeof StateMessage>;

export const EventEnvelope = z.object({
  v,
  id: z.string().min(1).max(64),
  seq: z.number().int().nonnegative(),
  ts: z.number().int(),
  class: OutboxClass.optional(),
  data: z.unknown(),
});
export type EventEnvelope = z.infer<typeof EventEnvelope>;

export const TelemetryMessage = z.object({ v, ts: z.number().int(), data: z.record(z.string(), z.unknown()) });
export type TelemetryMessage = z.infer<typeof TelemetryMessage>;

export const CommandMessage = z.object({
  v,
  id: z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, 'command ids are topic-safe: letters, digits, _ and -'),
  args: z.unknown().optional(),
  expiresAt: z.number().int().optional(),
  by: z.string().max(128).optional(),
});
export type CommandMessage = z.infer<typeof CommandMessage>;

export const ErrorBody = z.object({ code: z.string(), message: z.string() });

export const ResultMessage = z.union([
  z.object({ v, id: z.string(), ok: z.literal(true), result: z.unknown(), ts: z.number().int().optional() }),
  z.object({ v, id: z.string(), ok: z.literal(false), error: ErrorBody, ts: z.number().int().optional() }),
  // a long command sends progress before its final result
  z.object({ v, id: z.string(), progress: z.number().min(0).max(1), note: z.string().optional(), ts: z.number().int().optional() }),
]);
export type ResultMessage = z.infer<typeof ResultMessage>;

export const CfgMessage = z.object({ v, version: z.number().int().nonnegative(), config: z.record(z.string(), z.unknown()) });
export type CfgMessage = z.infer<typeof CfgMessage>;

export const CfgReportedMessage = z.object({
  v,
  version: z.number().int().nonnegative(),
  applied: z.boolean(),
  error: ErrorBody.optional(),
  ts: z.number().int(),
});
export type CfgReportedMessage = z.infer<typeof CfgReportedMessage>;
