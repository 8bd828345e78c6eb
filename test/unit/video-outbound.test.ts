// The SFU's own send path on werift (werift-outbound.ts) and the benchmark's light receiver, without media:
// headers and NACK history as werift's sender would have made them, sender reports batched per peer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RtcpPacketConverter, RtcpSrPacket, type RTCRtpTransceiver, type RtpHeader, type RtpPacket } from 'werift';
import { createFastSender, sendSenderReports, type SendState } from '../../plugins/video/sfu/werift-outbound.js';
import { attachLightReceiver, payloadKinds } from '../../plugins/video/sfu/synthetic-light-receiver.js';

function fakeTransceiver() {
  const sent: Array<{ payload: Buffer; header: RtpHeader }> = [];
  const dtls = { state: 'new', sendRtp: async (payload: Buffer, header: RtpHeader) => { sent.push({ payload, header }); return payload.length; }, sendRtcp: async () => undefined };
  const sender = {
    ssrc: 1234, codec: { payloadType: 96 }, dtlsTransport: dtls, cname: 'kefu', rtpCache: [] as RtpPacket[],
    headerExtensions: [{ id: 1, uri: 'urn:ietf:params:rtp-hdrext:sdes:mid' }, { id: 3, uri: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time' }],
  };
  return { tr: { sender, mid: '4' } as unknown as RTCRtpTransceiver, sent, dtls, sender };
}

test('fast sender: our seq/ts, the negotiated pt/ssrc/extensions, werift NACK history filled, source untouched', () => {
  const { tr, sent, dtls, sender } = fakeTransceiver();
  const fast = createFastSender(tr);
  const src = { header: { ssrc: 99, sequenceNumber: 7, timestamp: 5, marker: true, payloadType: 100 }, payload: Buffer.from('vp8 data') };
  assert.equal(fast.send(1000, 90_000, src), false, 'nothing goes out before the transport is up');
  assert.equal(sent.length, 0);
  dtls.state = 'connected';
  assert.equal(fast.send(1000, 90_000, src), true);
  const { header, payload } = sent[0]!;
  assert.equal(payload, src.payload, 'the payload is shared, not copied');
  assert.deepEqual([header.ssrc, header.payloadType, header.sequenceNumber, header.timestamp, header.marker], [1234, 96, 1000, 90_000, true]);
  assert.deepEqual(header.extensions.map((e) => e.id), [1, 3]);
  assert.equal(header.extensions[0]!.payload.toString(), '4');
  assert.equal(header.extensions[1]!.payload.length, 3);
  assert.deepEqual(src.header, { ssrc: 99, sequenceNumber: 7, timestamp: 5, marker: true, payloadType: 100 });
  assert.equal(sender.rtpCache[1000 % 128]!.header, header, 'NACKs are answered from werift history');
  assert.deepEqual([fast.state.packets, fast.state.octets, fast.state.lastTs], [1, 8, 90_000]);
  // a serialized header carries the extensions werift would have written
  const wire = header.serialize(header.serializeSize);
  assert.equal(wire.readUInt16BE(12), 0xbede, 'one-byte header extensions');
});

test('sender reports: one round per peer, 16 sources per RTCP packet, only sources that sent', async () => {
  const packets: Buffer[] = [];
  const dtls = { state: 'connected', sendRtcp: async (ps: Array<{ serialize(): Buffer }>) => { packets.push(Buffer.concat(ps.map((p) => p.serialize()))); } };
  const states: SendState[] = Array.from({ length: 40 }, (_, i) => ({ ssrc: 100 + i, packets: i < 35 ? 10 + i : 0, octets: 1000 * i, lastTs: 3000 * i, lastSendMs: Date.now(), cname: 'kefu' }));
  assert.equal(sendSenderReports({ ...dtls, state: 'connecting' }, states), 0);
  assert.equal(sendSenderReports(dtls, states), 3);
  const srs = packets.flatMap((b) => RtcpPacketConverter.deSerialize(b)).filter((p): p is RtcpSrPacket => p instanceof RtcpSrPacket);
  assert.deepEqual(srs.map((p) => p.ssrc), states.slice(0, 35).map((s) => s.ssrc));
  assert.equal(srs[3]!.senderInfo.packetCount, 13);
  for (const b of packets) assert.ok(b.length <= 1200, `an RTCP packet fits the MTU (${b.length} bytes)`);
  // the NTP time is now (seconds since 1900)
  const ntpSeconds = Number(srs[0]!.senderInfo.ntpTimestamp >> 32n);
  assert.ok(Math.abs(ntpSeconds - 2_208_988_800 - Date.now() / 1000) < 5);
});

test('light receiver: counts and gaps from clear RTP headers, passes 1 video packet in N and all non-RTP on', () => {
  const passed: Buffer[] = [];
  const onData = { execute: (d: Buffer) => { passed.push(d); } };
  const pc = { iceTransports: [{ connection: { onData } }] } as never;
  const kinds = payloadKinds('v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nm=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n');
  assert.deepEqual([...kinds], [[111, 'audio'], [96, 'video'], [97, 'video']]);
  const counters = { rxVideo: 0, rxAudio: 0, lost: 0 };
  const detach = attachLightReceiver(pc, kinds, counters, 8);
  const rtp = (pt: number, seq: number, ssrc: number) => { const b = Buffer.alloc(40); b[0] = 0x80; b[1] = pt; b.writeUInt16BE(seq, 2); b.writeUInt32BE(ssrc, 8); return b; };
  for (let seq = 0; seq < 32; seq++) if (seq !== 10 && seq !== 11) onData.execute(rtp(96, seq, 1));
  for (let seq = 65530; seq < 65546; seq++) onData.execute(rtp(111, seq & 0xffff, 2)); // wraps around
  const rtcp = Buffer.from([0x80, 200, 0, 1, 0, 0, 0, 1]);
  onData.execute(rtcp);
  onData.execute(Buffer.from([22, 254, 253]));
  assert.deepEqual(counters, { rxVideo: 30, rxAudio: 16, lost: 2 });
  assert.equal(passed.filter((b) => b[1] === 96).length, 4, 'video seq 0, 8, 16, 24 go on to werift');
  assert.ok(passed.includes(rtcp) && passed.some((b) => b[0] === 22), 'RTCP and DTLS are untouched');
  detach();
  onData.execute(rtp(96, 33, 1));
  assert.equal(counters.rxVideo, 30, 'detached');
});
