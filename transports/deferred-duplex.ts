// mqtt.js wants its stream synchronously, but a link opens asynchronously: this duplex stands in at once,
// buffers what mqtt.js writes (CONNECT) until the real stream is there, then forwards both ways. If opening
// fails it is destroyed with that error, which mqtt.js treats like a dropped connection and retries.
import { Duplex } from 'node:stream';

export function createDeferredDuplex(opening: Promise<Duplex>): Duplex {
  let inner: Duplex | null = null;
  let queued: Array<{ chunk: Buffer; cb: (err?: Error | null) => void }> = [];

  const proxy = new Duplex({
    allowHalfOpen: false,
    write(chunk: Buffer, _enc, cb) {
      if (inner) inner.write(chunk, cb);
      else queued.push({ chunk, cb });
    },
    writev(chunks, cb) {
      // mqtt-packet writes a packet in several small pieces: one syscall for all of them
      const buf = Buffer.concat(chunks.map((c) => c.chunk as Buffer));
      if (inner) inner.write(buf, cb);
      else queued.push({ chunk: buf, cb });
    },
    read() {
      if (inner?.isPaused()) inner.resume();
    },
    final(cb) {
      if (inner) inner.end(cb);
      else cb();
    },
    destroy(err, cb) {
      const pending = queued;
      queued = [];
      for (const q of pending) q.cb(err ?? new Error('stream closed before the link opened'));
      if (inner && !inner.destroyed) inner.destroy();
      cb(err);
    },
  });

  opening.then(
    (stream) => {
      if (proxy.destroyed) { stream.destroy(); return; }
      inner = stream;
      stream.on('data', (d: Buffer) => { if (!proxy.push(d)) stream.pause(); });
      stream.on('end', () => proxy.push(null));
      stream.on('error', (err) => proxy.destroy(err));
      stream.on('close', () => { if (!proxy.destroyed) proxy.destroy(); });
      const pending = queued;
      queued = [];
      for (const q of pending) stream.write(q.chunk, q.cb);
    },
    (err: unknown) => {
      proxy.destroy(err instanceof Error ? err : new Error(String(err)));
    },
  );
  return proxy;
}
