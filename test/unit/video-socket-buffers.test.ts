// Socket buffers of the SFU's peers (werift-peer.ts tuneSockets): werift leaves the kernel default (208 KiB, ~90
// full-size datagrams), which a busy event loop overflows; we ask for more, up to what the kernel grants.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import type { RTCPeerConnection } from 'werift';
import { tuneSockets } from '../../plugins/video/sfu/werift-peer.js';

test('tuneSockets: every UDP socket of the peer gets the asked-for buffers (capped by net.core.rmem_max), once', async (t) => {
  const a = createSocket('udp4'); const b = createSocket('udp4');
  t.after(() => { a.close(); b.close(); });
  const unbound = createSocket('udp4');
  const pc = { iceTransports: [{ connection: { protocols: [{ transport: { type: 'udp', socket: a } }, { transport: { type: 'tcp' } }, { transport: { type: 'udp', socket: unbound } }] } }] } as unknown as RTCPeerConnection;
  const done = new WeakSet<object>();
  assert.equal(tuneSockets(pc, 1 << 20, done), 0, 'nothing bound yet: nothing granted');
  await new Promise<void>((r) => a.bind(0, '127.0.0.1', () => r()));
  const before = a.getRecvBufferSize();
  const granted = tuneSockets(pc, 1 << 20, done);
  // Linux doubles the value for its bookkeeping and caps the request at rmem_max
  const rmemMax = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8'));
  assert.equal(granted, 2 * Math.min(1 << 20, rmemMax));
  assert.ok(granted > before, `${granted} > kernel default ${before}`);
  assert.equal(a.getSendBufferSize(), 2 * Math.min(1 << 20, Number(readFileSync('/proc/sys/net/core/wmem_max', 'utf8'))));
  // a socket already tuned is left alone; one bound later is tuned on the next call
  a.setRecvBufferSize(300_000);
  (pc as unknown as { iceTransports: Array<{ connection: { protocols: unknown[] } }> }).iceTransports[0]!.connection.protocols.push({ transport: { type: 'udp', socket: b } });
  await new Promise<void>((r) => b.bind(0, '127.0.0.1', () => r()));
  tuneSockets(pc, 1 << 20, done);
  assert.equal(a.getRecvBufferSize(), 600_000);
  assert.equal(b.getRecvBufferSize(), granted);
  unbound.close();
});
