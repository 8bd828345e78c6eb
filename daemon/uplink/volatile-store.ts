// mqtt.js's outgoing store, reduced to what a live connection needs. mqtt.js normally replays its stored QoS 1
// packets after a reconnect; the outbox already re-sends every un-acked event in order, so a replay here would
// duplicate and reorder. This store never replays, and clear() forgets the packets of a dead connection.
import { Readable } from 'node:stream';
import type { IStore } from 'mqtt';
import type { Packet } from 'mqtt-packet';

export interface VolatileStore extends IStore { clear(): void; readonly size: number }

export function createVolatileStore(): VolatileStore {
  const packets = new Map<number, Packet>();
  const store: VolatileStore = {
    put(packet, cb) {
      const id = (packet as { messageId?: number }).messageId;
      if (id !== undefined) packets.set(id, packet);
      cb();
      return store;
    },
    createStream() {
      return Readable.from([], { objectMode: true }) as never;
    },
    del(packet, cb: (err?: Error, packet?: Packet) => void) {
      const id = packet.messageId!;
      const p = packets.get(id);
      packets.delete(id);
      // mqtt.js hands a del error to the publish callback: a PUBACK must never read as a failure because of us
      cb(undefined, p ?? ({ cmd: 'publish', messageId: id } as Packet));
      return store;
    },
    get(packet, cb: (err?: Error, packet?: Packet) => void) {
      const p = packets.get(packet.messageId!);
      if (p) cb(undefined, p);
      else cb(new Error('missing packet'));
      return store;
    },
    close(cb) { packets.clear(); cb(); },
    clear() { packets.clear(); },
    get size() { return packets.size; },
  };
  return store;
}
