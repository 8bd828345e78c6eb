// mqtt.js wants its stream synchronously; links open asynchronously. This Duplex stands in at once, buffers
// writes until the real stream is open, then passes bytes both ways and shares its end, close and errors.
import { Duplex } from 'node:stream';

export function deferredStream(open: () => Promise<Duplex>): Duplex {
  let inner: Duplex | null = null;
  const queued: Array<{ chunk: Buffer; cb: (err?: Error | null) => void }> = [];
  const outer = new Duplex({
    write(chunk: Buffer, _enc, cb) {
      if (inner) inner.write(chunk, cb);
      else queued.push({ chunk, cb });
    },
    final(cb) {
      if (inner) inner.end(cb); else cb();
    },
    read() { inner?.resume(); },
    destroy(err, cb) {
      for (const q of queued.splice(0)) q.cb(err ?? new Error('stream destroyed'));
      if (inner && !inner.destroyed) inner.destroy();
      cb(err);
    },
  });
  open().then((s) => {
    if (outer.destroyed) { s.destroy(); return; }
    inner = s;
    s.on('data', (b: Buffer) => { if (!outer.push(b)) s.pause(); });
    s.on('end', () => outer.push(null));
    s.on('error', (err) => outer.destroy(err));
    s.on('close', () => { if (!outer.destroyed) outer.destroy(); });
    for (const q of queued.splice(0)) s.write(q.chunk, q.cb);
  }, (err: Error) => outer.destroy(err));
  return outer;
}
