// The second core for the send path. Sealing one SRTP-GCM packet costs Node ~15–20 µs (a fresh cipher per
// packet: Node cannot re-key one), a third of what a forwarded packet costs the event loop. A worker thread
// (seal-worker.mjs) seals instead: the event loop writes key, header and payload into a slot of a ring in
// shared memory, the worker encrypts in place, and the event loop sends the sealed slots in ring order (so each
// receiver's packets keep their order) when the worker signals a batch. The sockets stay on the event loop:
// werift owns them and a datagram must leave from the port ICE agreed on.
import { Worker, MessageChannel, type MessagePort } from 'node:worker_threads';
import type { Socket } from 'node:dgram';

const SLOTS = 2048;
const SLOT_BYTES = 1664; // key + salt (28) + RTP header (≤ 60) + payload (≤ 1560) + tag (16)
const META_INTS = 5;
/** the longest the event loop waits for a free slot before sealing in line (after draining what it can) */
const FULL_WAIT_MS = 20;

export interface SealPool {
  /** false: too big for a slot or the pool is stopped; the caller seals in line */
  seal(key: Buffer, salt: Buffer, header: Buffer, payload: Buffer, prefix: Buffer | undefined, ssrc: number, roc: number, seq: number,
    socket: Socket, port: number, address: string): boolean;
  /** packets sealed by the worker and sent, cumulative */
  readonly sent: number;
  /** packets the event loop sealed itself because the ring stayed full */
  readonly overflow: number;
  /** packets the worker could not seal (not sent), and times the worker thread died (its ring was lost) */
  readonly failed: number;
  readonly died: number;
  start(): void;
  stop(): Promise<void>;
}

export function createSealPool(): SealPool {
  let worker: Worker | null = null; let port: MessagePort | null = null;
  let ctrl: Int32Array | null = null; let meta: Int32Array | null = null; let data: Buffer | null = null;
  let head = 0; let sentUpTo = 0; let sent = 0; let overflow = 0; let failed = 0; let died = 0;
  /** the worker has booted (its first message): until then packets are sealed in line, nothing is queued */
  let ready = false;
  const sockets: Array<Socket | null> = new Array(SLOTS).fill(null);
  const ports = new Int32Array(SLOTS); const addrs: string[] = new Array(SLOTS).fill('');
  const lengths = new Int32Array(SLOTS);

  /** on the worker's message: re-arm its signal, then send */
  function drain() {
    if (!ctrl) return;
    Atomics.store(ctrl, 3, 0); // before reading tail: a slot sealed after this read raises a new message
    sendSealed();
  }

  /** sends every slot the worker has sealed, in ring order */
  function sendSealed() {
    if (!ctrl || !data) return;
    const tail = Atomics.load(ctrl, 1);
    while (sentUpTo !== tail) {
      const i = (sentUpTo >>> 0) % SLOTS;
      const base = i * SLOT_BYTES + 28;
      if (meta![i * META_INTS + 1]! < 0) { sockets[i] = null; sentUpTo = (sentUpTo + 1) | 0; failed++; continue; }
      // a copy: a send the kernel cannot take at once is queued by libuv, and the slot will be reused
      const out = Buffer.allocUnsafe(lengths[i]!);
      data.copy(out, 0, base, base + lengths[i]!);
      const socket = sockets[i]!; sockets[i] = null;
      try { socket.send(out, ports[i]!, addrs[i]!); } catch { /* socket closed meanwhile */ }
      sentUpTo = (sentUpTo + 1) | 0;
      sent++;
    }
  }

  return {
    get sent() { return sent; },
    get overflow() { return overflow; },
    get failed() { return failed; },
    get died() { return died; },
    seal(key, salt, header, payload, prefix, ssrc, roc, seq, socket, toPort, address) {
      if (!worker || !ready || !ctrl || !meta || !data) return false;
      // what is sealed already goes out now, not at the worker's next message (less jitter within a burst)
      if (Atomics.load(ctrl, 1) !== sentUpTo) sendSealed();
      const total = 28 + header.length + payload.length + 16;
      if (total > SLOT_BYTES || key.length !== 16 || salt.length < 12) return false;
      if (((head - sentUpTo) | 0) >= SLOTS) {
        drain();
        // the worker is behind: wait for it briefly (backpressure) rather than reorder a receiver's packets
        const until = Date.now() + FULL_WAIT_MS;
        while (((head - sentUpTo) | 0) >= SLOTS && Date.now() < until) {
          Atomics.wait(ctrl, 1, Atomics.load(ctrl, 1), 2);
          drain();
        }
        if (((head - sentUpTo) | 0) >= SLOTS) { overflow++; return false; }
      }
      const i = (head >>> 0) % SLOTS; const m = i * META_INTS; let at = i * SLOT_BYTES;
      key.copy(data, at); salt.copy(data, at + 16, 0, 12); at += 28;
      header.copy(data, at); at += header.length;
      if (prefix && prefix.length) { prefix.copy(data, at); payload.copy(data, at + prefix.length, prefix.length); } else payload.copy(data, at);
      meta[m] = header.length; meta[m + 1] = payload.length; meta[m + 2] = ssrc | 0; meta[m + 3] = roc | 0; meta[m + 4] = seq;
      sockets[i] = socket; ports[i] = toPort; addrs[i] = address; lengths[i] = header.length + payload.length + 16;
      head = (head + 1) | 0;
      Atomics.store(ctrl, 0, head);
      if (Atomics.load(ctrl, 2)) Atomics.notify(ctrl, 0);
      return true;
    },
    start() {
      if (worker) return;
      const sab = new SharedArrayBuffer(32 + SLOTS * META_INTS * 4 + SLOTS * SLOT_BYTES);
      ctrl = new Int32Array(sab, 0, 8); meta = new Int32Array(sab, 32, SLOTS * META_INTS);
      data = Buffer.from(sab, 32 + SLOTS * META_INTS * 4, SLOTS * SLOT_BYTES);
      head = 0; sentUpTo = 0;
      const { port1, port2 } = new MessageChannel();
      ready = false;
      port1.on('message', () => { ready = true; drain(); });
      port1.unref();
      port = port1;
      worker = new Worker(new URL('./seal-worker.mjs', import.meta.url), {
        workerData: { sab, slots: SLOTS, slotBytes: SLOT_BYTES, metaInts: META_INTS, port: port2 }, transferList: [port2],
        // plain JS: the parent's TypeScript loader is of no use there
        execArgv: [],
      });
      worker.unref();
      const w = worker;
      // a dead worker: what it held is lost, later packets are sealed in line
      w.on('error', () => { died++; if (worker === w) { worker = null; ready = false; } });
    },
    async stop() {
      const w = worker;
      if (!w || !ctrl) return;
      drain();
      worker = null; ready = false;
      Atomics.store(ctrl, 4, 1);
      Atomics.notify(ctrl, 0);
      port?.close(); port = null;
      await w.terminate();
      sockets.fill(null);
    },
  };
}
