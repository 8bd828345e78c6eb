// A multiplexed byte tunnel over one BLE pipe: each channel is a Duplex (one MQTT session, or a probe). Bytes are
// cut to the MTU, numbered per channel, and sent only against credits the receiver granted (flow control: a
// slow reader stops the writer instead of overflowing BlueZ's queues). A lost link ends every channel.
import { Duplex } from 'node:stream';
import PQueue from 'p-queue';
import { TransportError } from '../../protocol/errors.js';
import { dataCapacity, decodeFrame, encodeFrame, type Frame } from './frame.js';
import type { BlePipe } from './pipe.js';

export interface TunnelOptions {
  /** frames a receiver lets the sender have in flight per channel */
  window?: number;
  openTimeoutMs?: number;
  /** relay side: a channel was opened by the central; return a promise that settles when it is connected */
  onOpen?: (channel: Duplex) => Promise<void>;
  /** the central sent HELLO (a new session): the relay drops channels of the previous one */
  onHello?: (mtu: number) => void;
}

interface Channel {
  id: number;
  stream: Duplex;
  credits: number;
  creditWaiters: Array<() => void>;
  nextSendSeq: number;
  nextRecvSeq: number;
  /** frames delivered since the last grant */
  owed: number;
  paused: boolean;
  closed: boolean;
}

export function createTunnel(pipe: BlePipe, o: TunnelOptions = {}) {
  const window = o.window ?? 16;
  const channels = new Map<number, Channel>();
  const opening = new Map<number, { resolve: (credits: number) => void; reject: (e: Error) => void }>();
  // GATT allows one outstanding write per link: serialise every frame of every channel
  const queue = new PQueue({ concurrency: 1 });
  let mtu = pipe.mtu;
  let dead: Error | null = null;
  let nextId = 1;

  const send = (f: Frame): Promise<void> => {
    if (dead) return Promise.reject(dead);
    return queue.add(() => pipe.send(encodeFrame(f))) as Promise<void>;
  };

  function grant(c: Channel, force = false): void {
    if (c.closed || c.paused || c.owed === 0) return;
    if (!force && c.owed < Math.max(1, window >> 1)) return;
    const credits = c.owed;
    c.owed = 0;
    send({ type: 'CREDIT', ch: c.id, credits }).catch(() => {});
  }

  function endChannel(c: Channel, err: Error | null, notifyPeer: boolean, reason = ''): void {
    if (c.closed) return;
    c.closed = true;
    channels.delete(c.id);
    for (const w of c.creditWaiters.splice(0)) w();
    if (notifyPeer && !dead) send({ type: 'CLOSE', ch: c.id, reason }).catch(() => {});
    if (err) c.stream.destroy(err);
    else { c.stream.push(null); c.stream.destroy(); }
  }

  function makeChannel(id: number, credits: number): Channel {
    const c: Channel = { id, credits, creditWaiters: [], nextSendSeq: 0, nextRecvSeq: 0, owed: 0, paused: false, closed: false, stream: null as unknown as Duplex };
    c.stream = new Duplex({
      async write(chunk: Buffer, _enc, cb) {
        try {
          const cap = dataCapacity(mtu);
          for (let off = 0; off < chunk.length; off += cap) {
            while (c.credits <= 0 && !c.closed && !dead) await new Promise<void>((r) => c.creditWaiters.push(r));
            if (c.closed || dead) throw dead ?? new TransportError('BLE_CHANNEL_CLOSED', 'tunnel channel closed');
            c.credits -= 1;
            const seq = c.nextSendSeq;
            c.nextSendSeq = (seq + 1) & 0xffff;
            void send({ type: 'DATA', ch: id, seq, payload: chunk.subarray(off, off + cap) }).catch((err: Error) => endChannel(c, err, false));
          }
          cb();
        } catch (err) { cb(err as Error); }
      },
      read() {
        if (c.paused) { c.paused = false; grant(c, true); }
      },
      destroy(err, cb) {
        if (!c.closed) endChannel(c, null, true, err ? 'error' : '');
        cb(err);
      },
      final(cb) { endChannel(c, null, true); cb(); },
    });
    channels.set(id, c);
    return c;
  }

  function onFrame(buf: Buffer): void {
    let f: Frame;
    try { f = decodeFrame(buf); } catch { return; }
    const c = 'ch' in f ? channels.get(f.ch) : undefined;
    switch (f.type) {
      case 'HELLO':
        mtu = f.mtu;
        for (const ch of [...channels.values()]) endChannel(ch, new TransportError('BLE_SESSION_RESET', 'central started a new session'), false);
        o.onHello?.(f.mtu);
        return;
      case 'OPEN': {
        if (!o.onOpen) { void send({ type: 'OPEN_FAIL', ch: f.ch, reason: 'not a relay' }).catch(() => {}); return; }
        if (c) endChannel(c, new TransportError('BLE_CHANNEL_REUSED', 'channel reopened'), false);
        const ch = makeChannel(f.ch, window);
        o.onOpen(ch.stream).then(
          () => send({ type: 'OPEN_OK', ch: f.ch, credits: window }).catch(() => {}),
          (err: Error) => { endChannel(ch, null, false); void send({ type: 'OPEN_FAIL', ch: f.ch, reason: (err as { code?: string }).code ?? 'error' }).catch(() => {}); },
        );
        return;
      }
      case 'OPEN_OK': opening.get(f.ch)?.resolve(f.credits); return;
      case 'OPEN_FAIL': opening.get(f.ch)?.reject(new TransportError('BLE_RELAY_REFUSED', `relay could not open a broker connection: ${f.reason}`)); return;
      case 'CREDIT':
        if (!c) return;
        c.credits += f.credits;
        for (const w of c.creditWaiters.splice(0)) w();
        return;
      case 'CLOSE': if (c) endChannel(c, null, false); return;
      case 'DATA': {
        if (!c) return;
        if (f.seq !== c.nextRecvSeq) {
          // BLE delivers in order; a gap means frames were lost across a glitch: the byte stream is broken
          endChannel(c, new TransportError('BLE_SEQUENCE', `expected frame ${c.nextRecvSeq}, got ${f.seq}`), true, 'seq');
          return;
        }
        c.nextRecvSeq = (f.seq + 1) & 0xffff;
        c.owed += 1;
        if (!c.stream.push(f.payload)) c.paused = true;
        grant(c);
        return;
      }
    }
  }

  const disposers = [
    pipe.onFrame(onFrame),
    pipe.onClose((err) => shutdown(err)),
  ];

  function shutdown(err: Error): void {
    if (dead) return;
    dead = err instanceof TransportError ? err : new TransportError('BLE_DISCONNECTED', `BLE link lost: ${err.message}`);
    for (const d of disposers) d();
    for (const c of [...channels.values()]) endChannel(c, dead, false);
    for (const [, p] of opening) p.reject(dead);
    opening.clear();
    queue.clear();
  }

  return {
    get mtu() { return mtu; },
    get alive() { return dead === null; },
    /** central: announce a new session (the relay drops what was left from the previous link) */
    hello(session: number): Promise<void> { return send({ type: 'HELLO', mtu, session }); },
    /** central: a new channel, connected through the relay to its broker */
    async openChannel(timeoutMs = o.openTimeoutMs ?? 5000): Promise<Duplex> {
      if (dead) throw dead;
      let id = nextId;
      for (let i = 0; i < 255 && (channels.has(id) || opening.has(id)); i++) id = (id % 255) + 1;
      if (channels.has(id) || opening.has(id)) throw new TransportError('BLE_CHANNELS_EXHAUSTED', 'no free tunnel channel');
      nextId = (id % 255) + 1;
      const credits = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => { opening.delete(id); reject(new TransportError('BLE_OPEN_TIMEOUT', `relay did not answer OPEN within ${timeoutMs} ms`)); }, timeoutMs);
        opening.set(id, { resolve: (n) => { clearTimeout(timer); opening.delete(id); resolve(n); }, reject: (e) => { clearTimeout(timer); opening.delete(id); reject(e); } });
        send({ type: 'OPEN', ch: id }).catch((err: Error) => opening.get(id)?.reject(err));
      });
      return makeChannel(id, credits).stream;
    },
    channelCount: () => channels.size,
    close(err: Error = new TransportError('BLE_CLOSED', 'tunnel closed')): void { shutdown(err); },
  };
}

export type Tunnel = ReturnType<typeof createTunnel>;
