// aedes has no maximum packet size: mqtt-packet buffers a whole packet of up to 256 MB before aedes sees it.
// This guard reads the MQTT fixed header (type byte + "remaining length" varint) as bytes flow in and cuts
// the connection as soon as a packet announces more than the limit, before its body is buffered.
import { Duplex } from 'node:stream';
import { ProtocolError } from '../../protocol/errors.js';

/** Pure byte meter over the MQTT framing; `push` returns false once a packet exceeds `maxBytes`. */
export function createPacketMeter(maxBytes: number) {
  let state: 'type' | 'length' | 'body' = 'type';
  let length = 0;
  let multiplier = 1;
  let headerBytes = 0;
  let remaining = 0;
  return {
    push(chunk: Buffer): boolean {
      let i = 0;
      while (i < chunk.length) {
        if (state === 'type') {
          state = 'length'; length = 0; multiplier = 1; headerBytes = 1; i++;
        } else if (state === 'length') {
          const b = chunk[i++];
          headerBytes++;
          length += (b & 0x7f) * multiplier;
          multiplier *= 128;
          if (headerBytes > 5) return false;
          if ((b & 0x80) === 0) {
            if (length + headerBytes > maxBytes) return false;
            remaining = length;
            state = remaining === 0 ? 'type' : 'body';
          }
        } else {
          const take = Math.min(remaining, chunk.length - i);
          remaining -= take; i += take;
          if (remaining === 0) state = 'type';
        }
      }
      return true;
    },
  };
}

export interface GuardedStream extends Duplex { remoteAddress?: string }

/** Wraps a connection so oversized packets close it; `remoteAddress` is kept for the connect limiter. */
export function guardStream(inner: Duplex, maxBytes: number, remoteAddress?: string, onOversize?: () => void): GuardedStream {
  const meter = createPacketMeter(maxBytes);
  const outer: GuardedStream = new Duplex({
    read() { inner.resume(); },
    write(chunk, _enc, cb) { inner.write(chunk, cb); },
    // mqtt-packet corks the stream and writes a packet as several small buffers; without writev each one
    // would wait for the previous socket write to finish and cost a syscall of its own
    writev(chunks, cb) {
      inner.cork();
      for (let i = 0; i < chunks.length - 1; i++) inner.write(chunks[i].chunk);
      inner.write(chunks[chunks.length - 1].chunk, cb);
      inner.uncork();
    },
    final(cb) { inner.end(); cb(); },
    destroy(err, cb) { inner.destroy(); cb(err); },
  });
  outer.remoteAddress = remoteAddress;
  inner.on('data', (chunk: Buffer) => {
    if (!meter.push(chunk)) {
      onOversize?.();
      outer.destroy(new ProtocolError('PACKET_TOO_LARGE', `MQTT packet larger than ${maxBytes} bytes`));
      return;
    }
    if (!outer.push(chunk)) inner.pause();
  });
  inner.on('end', () => outer.push(null));
  inner.on('error', (err) => outer.destroy(err));
  inner.on('close', () => { if (!outer.destroyed) outer.destroy(); });
  return outer;
}
