// The SFU's direct send path: RTP headers we write and SRTP-GCM we seal must be what werift (and so a
// browser) reads back: same header as werift's serializer, decryptable across a sequence-number rollover.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import fc from 'fast-check';
import { RtpHeader, RtpPacket, SrtpSession, ProtectionProfileAeadAes128Gcm, type RTCRtpTransceiver } from 'werift';
import { sealRtpGcm, writeRtpHeader } from '../../plugins/video/sfu/srtp-gcm.js';
import { createFastSender } from '../../plugins/video/sfu/werift-outbound.js';

function sessions() {
  const key = randomBytes(16); const salt = randomBytes(12); const other = randomBytes(16); const otherSalt = randomBytes(12);
  const keys = (a: Buffer, as: Buffer, b: Buffer, bs: Buffer) => ({ localMasterKey: a, localMasterSalt: as, remoteMasterKey: b, remoteMasterSalt: bs });
  const tx = new SrtpSession({ keys: keys(key, salt, other, otherSalt), profile: ProtectionProfileAeadAes128Gcm });
  const rx = new SrtpSession({ keys: keys(other, otherSalt, key, salt), profile: ProtectionProfileAeadAes128Gcm });
  return { tx, rx };
}

test('rtp header: byte for byte what werift serializes (one-byte extensions, padding)', () => {
  fc.assert(fc.property(
    fc.integer({ min: 0, max: 127 }), fc.boolean(), fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }),
    fc.uniqueArray(fc.record({ id: fc.integer({ min: 1, max: 14 }), payload: fc.uint8Array({ minLength: 1, maxLength: 16 }) }), { selector: (e) => e.id, maxLength: 3 }),
    (pt, marker, seq, ts, ssrc, ex) => {
      const exts = ex.map((e) => ({ id: e.id, payload: Buffer.from(e.payload) }));
      const h = new RtpHeader({ payloadType: pt, marker, sequenceNumber: seq, timestamp: ts, ssrc, extensions: exts });
      assert.deepEqual(writeRtpHeader(pt, marker, seq, ts, ssrc, exts), h.serialize(h.serializeSize));
    }), { numRuns: 300 });
});

test('srtp-gcm: sealed packets decrypt with werift across a rollover, in step with its rollover state', () => {
  const { tx, rx } = sessions();
  const ctx = (tx as unknown as { localContext: { cipher: { srtpSessionKey: Buffer; srtpSessionSalt: Buffer }; getSrtpSsrcState(s: number): { rolloverCounter: number }; updateRolloverCount(q: number, s: object): void } }).localContext;
  const ssrc = 0xdeadbeef;
  for (let i = 0; i < 40; i++) {
    const seq = (0xfff0 + i) & 0xffff;
    const payload = randomBytes(50 + i);
    const hdr = writeRtpHeader(96, i % 3 === 0, seq, 1000 * i, ssrc, [{ id: 1, payload: Buffer.from('3') }]);
    const s = ctx.getSrtpSsrcState(ssrc); ctx.updateRolloverCount(seq, s);
    const wire = Buffer.concat(sealRtpGcm(ctx.cipher.srtpSessionKey, ctx.cipher.srtpSessionSalt, hdr, payload, ssrc, s.rolloverCounter, seq));
    const pkt = RtpPacket.deSerialize(rx.decrypt(wire));
    assert.equal(pkt.header.sequenceNumber, seq);
    assert.deepEqual(pkt.payload, payload);
    assert.equal(s.rolloverCounter, seq < 0xfff0 ? 1 : 0);
  }
  // werift's own encryption of the next packet (a retransmission, say) still uses the right rollover counter
  const h = new RtpHeader({ payloadType: 96, sequenceNumber: 30, timestamp: 1, ssrc });
  assert.deepEqual(RtpPacket.deSerialize(rx.decrypt(tx.encrypt(Buffer.from('again'), h))).payload, Buffer.from('again'));
});

test('srtp-gcm: a prefix laid over the payload seals as if the payload had been rewritten', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 300 }), (seq, preLen, extra) => {
    // fresh sessions: the receiver's rollover guess follows the sequence numbers it has seen
    const { tx, rx } = sessions();
    const ctx = (tx as unknown as { localContext: { cipher: { srtpSessionKey: Buffer; srtpSessionSalt: Buffer } } }).localContext;
    const payload = randomBytes(preLen + extra); const prefix = randomBytes(preLen);
    const hdr = writeRtpHeader(96, false, seq, 1, 5, []);
    const wire = Buffer.concat(sealRtpGcm(ctx.cipher.srtpSessionKey, ctx.cipher.srtpSessionSalt, hdr, payload, 5, 0, seq, prefix));
    const clear = RtpPacket.deSerialize(rx.decrypt(wire)).payload;
    assert.deepEqual(clear, Buffer.concat([prefix, payload.subarray(preLen)]));
  }), { numRuns: 50 });
});

test('fast sender: direct path goes to the nominated socket; NACK history answers with werift headers', async (t) => {
  const { tx, rx } = sessions();
  const sink = createSocket('udp4'); const out = createSocket('udp4');
  t.after(() => { sink.close(); out.close(); });
  await new Promise<void>((r) => sink.bind(0, '127.0.0.1', () => r()));
  await new Promise<void>((r) => out.bind(0, '127.0.0.1', () => r()));
  const got = new Promise<Buffer>((r) => sink.once('message', (m) => r(m)));
  const pair = { remoteAddr: ['127.0.0.1', sink.address().port], protocol: { transport: { socket: out, closed: false } }, packetsSent: 0, bytesSent: 0 };
  const dtls = { state: 'connected', srtp: tx, iceTransport: { connection: { nominated: pair } }, sendRtp: async () => { throw new Error('werift path used'); }, sendRtcp: async () => undefined };
  const sender = { ssrc: 77, codec: { payloadType: 96 }, dtlsTransport: dtls, cname: 'c', rtpCache: [] as RtpPacket[],
    headerExtensions: [{ id: 1, uri: 'urn:ietf:params:rtp-hdrext:sdes:mid' }, { id: 3, uri: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time' }] };
  const fast = createFastSender({ sender, mid: '2' } as unknown as RTCRtpTransceiver);
  assert.equal(fast.send(500, 9000, { header: { ssrc: 1, sequenceNumber: 1, timestamp: 1, marker: true, payloadType: 100 }, payload: Buffer.from('frame') }), true);
  const clear = rx.decrypt(await got);
  const pkt = RtpPacket.deSerialize(clear);
  assert.deepEqual([pkt.header.ssrc, pkt.header.sequenceNumber, pkt.header.timestamp, pkt.header.marker, pkt.payload.toString()], [77, 500, 9000, true, 'frame']);
  assert.deepEqual(pkt.header.extensions.map((e) => e.id), [1, 3]);
  assert.equal(pair.packetsSent, 1);
  const h = sender.rtpCache[500 % 128]!.header;
  assert.equal(h.sequenceNumber, 500);
  assert.deepEqual(h.serialize(h.serializeSize), clear.subarray(0, 24), 'a resend carries the header that went out (mid + abs-send-time)');
  // a rewritten descriptor (prefix): the wire and the NACK history carry the rewritten payload
  const got2 = new Promise<Buffer>((r) => sink.once('message', (m) => r(m)));
  fast.send(501, 9000, { header: { ssrc: 1, sequenceNumber: 2, timestamp: 1, marker: false, payloadType: 100 }, payload: Buffer.from('abcdef'), prefix: Buffer.from('XY') });
  assert.equal(RtpPacket.deSerialize(rx.decrypt(await got2)).payload.toString(), 'XYcdef');
  assert.equal(sender.rtpCache[501 % 128]!.payload.toString(), 'XYcdef');
  // history slots are reused: 128 packets later the slot answers for the new seq
  fast.send(501 + 128, 9000, { header: { ssrc: 1, sequenceNumber: 3, timestamp: 1, marker: false, payloadType: 100 }, payload: Buffer.from('new') });
  assert.deepEqual([sender.rtpCache[501 % 128]!.header.sequenceNumber, sender.rtpCache[501 % 128]!.payload.toString()], [629, 'new']);
});
