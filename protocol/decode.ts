// Decoding of inbound payloads: a bad message is counted and described, never thrown at the caller.
import type { z } from 'zod';

export const MAX_PAYLOAD_BYTES = 256 * 1024;

export type Decoded<T> = { ok: true; value: T } | { ok: false; code: 'PAYLOAD_TOO_LARGE' | 'PAYLOAD_NOT_JSON' | 'PAYLOAD_INVALID'; message: string };

export function decodePayload<S extends z.ZodType>(schema: S, payload: Buffer | string, maxBytes = MAX_PAYLOAD_BYTES): Decoded<z.infer<S>> {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  if (size > maxBytes) return { ok: false, code: 'PAYLOAD_TOO_LARGE', message: `payload of ${size} bytes exceeds ${maxBytes}` };
  let json: unknown;
  try {
    json = JSON.parse(payload.toString());
  } catch (err) {
    return { ok: false, code: 'PAYLOAD_NOT_JSON', message: (err as Error).message };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    return { ok: false, code: 'PAYLOAD_INVALID', message: parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ') };
  }
  return { ok: true, value: parsed.data };
}

/** Counts rejected messages by code, for telemetry and tests. */
export class RejectCounter {
  readonly counts: Record<string, number> = {};
  add(code: string): void { this.counts[code] = (this.counts[code] ?? 0) + 1; }
  get total(): number { return Object.values(this.counts).reduce((a, b) => a + b, 0); }
}
