// The bytes of the outbox's payloads, cut from slabs of their own, one current slab per class. Buffer.from() would
// cut them from Node's shared 8 KiB pool, where a payload kept also keeps whatever else was cut from the same slab
// (log frames, MQTT writes): 2.5 times its size in a box that is offline. Here a slab holds only payloads of one
// class, which leave in about the order they came (acks and eviction oldest first, spilling newest first).
import type { OutboxClass } from '../../protocol/schemas.js';

const SLAB_BYTES = 64 * 1024;
/** a bigger payload gets memory of its own (Buffer.from does not pool it either) */
const MAX_SLICE = SLAB_BYTES / 8;

export function createPayloadSlabs(): (cls: OutboxClass, json: string) => Buffer {
  const current = new Map<OutboxClass, { slab: Buffer; used: number }>();
  return (cls, json) => {
    const n = Buffer.byteLength(json);
    if (n > MAX_SLICE) return Buffer.from(json);
    let c = current.get(cls);
    if (!c || c.used + n > SLAB_BYTES) {
      c = { slab: Buffer.allocUnsafeSlow(SLAB_BYTES), used: 0 };
      current.set(cls, c);
    }
    const out = c.slab.subarray(c.used, c.used + n);
    out.write(json);
    c.used += n;
    return out;
  };
}
