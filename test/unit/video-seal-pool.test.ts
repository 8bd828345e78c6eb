// The sealing thread (seal-pool.ts + seal-worker.mjs): what it sends decrypts with werift, in the order the
// event loop handed the packets over, prefixes applied, across more packets than the ring has slots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { RtpPacket, SrtpSession, ProtectionProfileAeadAes128Gcm } from 'werift';
import { createSealPool } from '../../plugins/video/sfu/seal-pool.js';
import { writeRtpHeader } from '../../plugins/video/sfu/srtp-gcm.js';

test('seal pool: a worker seals, the event loop sends in order; werift decrypts every packet', async (t) => {
  const key = randomBytes(16); const salt = randomBytes(12); const other = randomBytes(16); const otherSalt = randomBytes(12);
  const rx = new SrtpSession({ keys: { localMasterKey: other, localMasterSalt: otherSalt, remoteMasterKey: key, remoteMasterSalt: salt }, profile: ProtectionProfileAeadAes128Gcm });
  const tx = new SrtpSession({ keys: { localMasterKey: key, localMasterSalt: salt, remoteMasterKey: other, remoteMasterSalt: otherSalt }, profile: ProtectionProfileAeadAes128Gcm });
  const cipher = (tx as unknown as { localContext: { cipher: { srtpSessionKey: Buffer; srtpSessionSalt: Buffer } } }).localContext.cipher;
  const sink = createSocket('udp4'); const out = createSocket('udp4');
  const pool = createSealPool();
  t.after(async () => { await pool.stop(); sink.close(); out.close(); });
  await new Promise<void>((r) => sink.bind(0, '127.0.0.1', () => r()));
  await new Promise<void>((r) => out.bind(0, '127.0.0.1', () => r()));
  sink.setRecvBufferSize(8 * 1024 * 1024);
  const N = 5000; // more than the ring's slots: the event loop waits for the worker instead of reordering
  const got: Buffer[] = [];
  const all = new Promise<void>((resolve) => sink.on('message', (m) => { got.push(m); if (got.length === N) resolve(); }));
  assert.equal(pool.seal(key, salt, Buffer.alloc(12), Buffer.alloc(10), undefined, 1, 0, 1, out, 1, '127.0.0.1'), false, 'not started: the caller seals');
  pool.start(); pool.start();
  for (let i = 0; i < 500 && !pool.seal(cipher.srtpSessionKey, cipher.srtpSessionSalt, Buffer.alloc(12), Buffer.alloc(0), undefined, 9, 0, 0, out, 9, '127.0.0.1'); i++) await new Promise((r) => setTimeout(r, 10));
  const warm = pool.sent + 1; // the probe that got in
  const ssrc = 0x1234abcd;
  const payloads: Buffer[] = [];
  for (let i = 0; i < N; i++) {
    const seq = (60_000 + i) & 0xffff; const roc = 60_000 + i > 0xffff ? 1 : 0;
    const payload = randomBytes(20 + (i % 1100)); const prefix = i % 3 === 0 ? Buffer.from([0x90, 0xe0, 0x80 | (i >> 8 & 0x7f), i & 0xff]) : undefined;
    payloads.push(prefix ? Buffer.concat([prefix, payload.subarray(prefix.length)]) : payload);
    const hdr = writeRtpHeader(96, false, seq, i * 3000, ssrc, [{ id: 1, payload: Buffer.from('7') }]);
    assert.ok(pool.seal(cipher.srtpSessionKey, cipher.srtpSessionSalt, hdr, payload, prefix, ssrc, roc, seq, out, sink.address().port, "127.0.0.1"), `slot for packet ${i} (overflow ${pool.overflow})`);
    if (i % 500 === 0) await new Promise((r) => setImmediate(r));
  }
  await Promise.race([all, new Promise((_, rej) => setTimeout(() => rej(new Error(`only ${got.length} of ${N} arrived`)), 30_000))]);
  for (let i = 0; i < N; i++) {
    const pkt = RtpPacket.deSerialize(rx.decrypt(got[i]!));
    assert.equal(pkt.header.sequenceNumber, (60_000 + i) & 0xffff, `packet ${i} in order`);
    assert.deepEqual(pkt.payload, payloads[i]);
  }
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(pool.sent, N + warm);
  assert.equal(pool.overflow, 0);
  assert.deepEqual([pool.failed, pool.died], [0, 0]);
  assert.equal(pool.seal(cipher.srtpSessionKey, cipher.srtpSessionSalt, Buffer.alloc(12), Buffer.alloc(1700), undefined, 1, 0, 1, out, 1, '127.0.0.1'), false, 'bigger than a slot: in line');
});
