// mqtt.js's outgoing store, reduced to what a live connection needs: nothing. mqtt.js normally keeps a copy of
// each QoS 1 packet until its PUBACK and replays them after a reconnect; the outbox already keeps every un-acked
// event and re-sends it in order, so a replay here would duplicate and reorder, and a copy per event in flight
// would only give the young-generation collector more to move.
import { Readable } from 'node:stream';
import type { IStore } from 'mqtt';
import type { Packet } from 'mqtt-packet';

export function createVolatileStore(): IStore {
  const store: IStore = {
    put(_packet, cb) {
      cb();
      return store;
    },
    createStream() {
      return Readable.from([], { objectMode: true }) as never;
    },
    del(packet, cb: (err?: Error, packet?: Packet) => void) {
      // mqtt.js hands a del error to the publish callback: a PUBACK must never read as a failure because of us
      cb(undefined, packet as Packet);
      return store;
    },
    get(_packet, cb: (err?: Error, packet?: Packet) => void) {
      cb(new Error('no packets are kept'));
      return store;
    },
    close(cb) { cb(); },
  };
  return store;
}
