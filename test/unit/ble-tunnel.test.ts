// The BLE tunnel over an in-memory pipe pair: fragmentation to the MTU, credits, sequence checks, link loss.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { PassThrough, type Duplex } from 'node:stream';
import { createTunnel } from '../../transports/ble/tunnel.js';
import { decodeFrame, encodeFrame, type Frame } from '../../transports/ble/frame.js';
import type { BlePipe } from '../../transports/ble/pipe.js';

function pipePair(mtu: number) {
  const stats = { maxFrame: 0, frames: 0, maxInFlight: 0 };
  let closed = false;
  const make = (): BlePipe & { peer?: BlePipe & { deliver(b: Buffer): void }; deliver(b: Buffer): void; fireClose(e: Error): void } => {
    const frameL = new Set<(b: Buffer) => void>(); const closeL = new Set<(e: Error) => void>();
    const p = {
      mtu,
      peer: undefined as never,
      async send(b: Buffer) {
        if (closed) throw Object.assign(new Error('org.bluez.Error.NotConnected'), { type: 'org.bluez.Error.NotConnected' });
        stats.frames++; stats.maxFrame = Math.max(stats.maxFrame, b.length);
        await new Promise((r) => setImmediate(r));
        (p.peer as unknown as { deliver(b: Buffer): void }).deliver(b);
      },
      deliver(b: Buffer) { for (const l of frameL) l(b); },
      onFrame(l: (b: Buffer) => void) { frameL.add(l); return () => frameL.delete(l); },
      onClose(l: (e: Error) => void) { closeL.add(l); return () => closeL.delete(l); },
      fireClose(e: Error) { for (const l of closeL) l(e); },
      async close() {},
    };
    return p;
  };
  const a = make(); const b = make();
  (a as { peer: unknown }).peer = b; (b as { peer: unknown }).peer = a;
  return { a, b, stats, drop() { closed = true; a.fireClose(new Error('disconnected')); b.fireClose(new Error('disconnected')); } };
}

function echoRelay(pipe: BlePipe) {
  return createTunnel(pipe, { onOpen: async (ch: Duplex) => { ch.on('error', () => {}); ch.pipe(ch); } });
}

async function readN(s: Duplex, n: number): Promise<Buffer> {
  const parts: Buffer[] = []; let got = 0;
  for await (const chunk of s) { parts.push(chunk as Buffer); got += (chunk as Buffer).length; if (got >= n) break; }
  return Buffer.concat(parts);
}

test('frames round-trip', () => {
  const frames: Frame[] = [
    { type: 'HELLO', mtu: 247, session: 123456 }, { type: 'OPEN', ch: 9 }, { type: 'OPEN_OK', ch: 9, credits: 16 },
    { type: 'OPEN_FAIL', ch: 9, reason: 'ECONNREFUSED' }, { type: 'DATA', ch: 3, seq: 65535, payload: Buffer.from('abc') },
    { type: 'CREDIT', ch: 3, credits: 8 }, { type: 'CLOSE', ch: 3, reason: '' },
  ];
  for (const f of frames) assert.deepEqual(decodeFrame(encodeFrame(f)), f);
  assert.throws(() => decodeFrame(Buffer.from([99, 0])), /unknown frame type/);
});

test('100 kB through an MTU-23 tunnel: fragmented, in order, within the credit window', async () => {
  const { a, b, stats } = pipePair(23);
  const central = createTunnel(a, { window: 8 });
  const relay = echoRelay(b);
  const ch = await central.openChannel();
  ch.on('error', () => {});
  const data = randomBytes(100_000);
  const back = readN(ch, data.length);
  ch.write(data);
  assert.ok((await back).equals(data));
  assert.ok(stats.maxFrame <= 20, `largest frame ${stats.maxFrame} bytes > MTU-3`);
  assert.ok(stats.frames >= 2 * Math.ceil(data.length / 16), `${stats.frames} frames`);
  ch.destroy();
  central.close(); relay.close();
});

test('a slow reader stops the writer (credits), then everything arrives', async () => {
  const { a, b } = pipePair(100);
  const central = createTunnel(a, { window: 4 });
  let relayCh: Duplex | null = null;
  const relay = createTunnel(b, { window: 4, onOpen: async (ch) => { ch.on('error', () => {}); relayCh = ch; } });
  const ch = await central.openChannel();
  ch.on('error', () => {});
  const data = randomBytes(50_000);
  let written = false;
  ch.write(data, () => { written = true; });
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(written, false, 'writer must wait for credits while nobody reads');
  const got = await readN(relayCh!, data.length);
  assert.ok(got.equals(data));
  central.close(); relay.close();
});

test('link loss ends every channel with a BLE_DISCONNECTED error', async () => {
  const { a, b, drop } = pipePair(64);
  const central = createTunnel(a);
  echoRelay(b);
  const ch = await central.openChannel();
  const err = new Promise<Error>((r) => ch.once('error', r));
  drop();
  assert.equal(((await err) as Error & { code: string }).code, 'BLE_DISCONNECTED');
  await assert.rejects(central.openChannel(), /BLE link lost/);
});

test('a sequence gap breaks the channel instead of corrupting the stream', async () => {
  const { a, b } = pipePair(64);
  const central = createTunnel(a);
  let relayCh: Duplex | null = null;
  createTunnel(b, { onOpen: async (ch) => { relayCh = ch; } });
  const ch = await central.openChannel();
  ch.on('error', () => {});
  const err = new Promise<Error>((r) => relayCh!.once('error', r));
  b.deliver(encodeFrame({ type: 'DATA', ch: 1, seq: 5, payload: Buffer.from('x') }));
  assert.match((await err).message, /expected frame 0, got 5/);
  void PassThrough;
});
