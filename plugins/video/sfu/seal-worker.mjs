// The SRTP-GCM sealing thread of seal-pool.ts (plain JS: worker threads do not inherit the tsx loader, and the
// build copies .mjs files as they are). It takes slots from a ring in shared memory in order, encrypts each
// payload in place (ciphertext + tag) and tells the event loop thread, which sends them, in batches.
import { workerData } from 'node:worker_threads';
import { createCipheriv } from 'node:crypto';

const { sab, slots, slotBytes, metaInts, port } = workerData;
// ctrl: 0 head (slots enqueued), 1 tail (slots sealed), 2 worker asleep, 3 batch signalled, 4 stop
const ctrl = new Int32Array(sab, 0, 8);
const meta = new Int32Array(sab, 32, slots * metaInts);
const data = Buffer.from(sab, 32 + slots * metaInts * 4, slots * slotBytes);
const iv = Buffer.alloc(12);

/** meta per slot: 0 header length, 1 payload length, 2 ssrc, 3 roc, 4 seq; key (16) + salt (12) lead the data */
function seal(i) {
  const m = i * metaInts; const base = i * slotBytes;
  const hdrLen = meta[m]; const payLen = meta[m + 1];
  const ssrc = meta[m + 2] >>> 0; const roc = meta[m + 3] >>> 0; const seq = meta[m + 4];
  const key = data.subarray(base, base + 16); const salt = data.subarray(base + 16, base + 28);
  const header = data.subarray(base + 28, base + 28 + hdrLen);
  const at = base + 28 + hdrLen;
  const payload = data.subarray(at, at + payLen);
  iv[0] = salt[0]; iv[1] = salt[1];
  iv.writeUInt32BE((ssrc ^ salt.readUInt32BE(2)) >>> 0, 2);
  iv.writeUInt32BE((roc ^ salt.readUInt32BE(6)) >>> 0, 6);
  iv.writeUInt16BE((seq ^ salt.readUInt16BE(10)) & 0xffff, 10);
  const c = createCipheriv('aes-128-gcm', key, iv);
  c.setAAD(header);
  const enc = c.update(payload);
  c.final();
  enc.copy(data, at);
  c.getAuthTag().copy(data, at + payLen);
}

port.postMessage(0); // booted: the event loop may queue from now on
for (;;) {
  if (Atomics.load(ctrl, 4)) break;
  let tail = Atomics.load(ctrl, 1);
  const head = Atomics.load(ctrl, 0);
  if (tail === head) {
    Atomics.store(ctrl, 2, 1);
    Atomics.wait(ctrl, 0, head, 1000);
    Atomics.store(ctrl, 2, 0);
    continue;
  }
  while (tail !== head) {
    const i = (tail >>> 0) % slots;
    // a slot that cannot be sealed is marked (payload length -1): it is skipped, the thread lives on
    try { seal(i); } catch { meta[i * metaInts + 1] = -1; }
    tail = (tail + 1) | 0;
    Atomics.store(ctrl, 1, tail);
    // the event loop thread drains everything sealed so far on one message; one message per batch
    if (Atomics.compareExchange(ctrl, 3, 0, 1) === 0) port.postMessage(0);
  }
}
port.close();
