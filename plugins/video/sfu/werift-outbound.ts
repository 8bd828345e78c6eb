// The SFU's send path on werift, the per-packet hot spot of a big room. werift's RTCRtpSender.sendRtp costs
// more than the encryption it leads to (profiled: header extensions rebuilt through closures and sorted per
// packet, an NTP time formatted through strings, a bandwidth-estimator entry, and one sender-report loop per
// track, each with its own timer and UDP packet). We build the header once per packet with the two extensions
// our subscribers negotiate (mid, abs-send-time) and hand it straight to the DTLS transport. What werift's
// sender did for us we keep: its NACK history is filled so its retransmission still answers NACKs, and sender
// reports (for the browser's audio/video sync) go out once a second per peer, many sources per RTCP packet.
import {
  RtpHeader, RtpPacket, RtcpSrPacket, RtcpSenderInfo, RtcpSourceDescriptionPacket, SourceDescriptionChunk,
  SourceDescriptionItem, type RTCRtpTransceiver, type RtcpPacket,
} from 'werift';
import type { RtpLike } from './types.js';

/** The RTCRtpSender fields we read or fill; `private` in werift's typings, stable across 0.2x. */
interface SenderInternals {
  readonly ssrc: number;
  codec?: { payloadType: number };
  dtlsTransport: { state: string; sendRtp(payload: Buffer, header: RtpHeader): Promise<number>; sendRtcp(p: RtcpPacket[]): Promise<void> };
  headerExtensions: Array<{ id: number; uri: string }>;
  rtpCache: RtpPacket[];
  cname?: string;
}

const RTP_HISTORY = 128; // werift's RTP_HISTORY_SIZE: its NACK handler looks packets up at seq % 128
const MID_URI = 'urn:ietf:params:rtp-hdrext:sdes:mid';
const ABS_SEND_TIME_URI = 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time';
const NTP_EPOCH_OFFSET_S = 2_208_988_800; // 1900 → 1970
/** sender reports per RTCP packet: 16 × 28 bytes + SDES chunks stay under a 1200-byte MTU */
const SR_PER_PACKET = 16;

/** What one outbound track has sent; read by the peer's sender-report timer. */
export interface SendState {
  ssrc: number;
  packets: number;
  octets: number;
  lastTs: number;
  lastSendMs: number;
  cname: string | undefined;
}

export interface FastSender {
  readonly state: SendState;
  /** false while the transport is not up or the codec not negotiated (the packet is dropped, as werift does) */
  send(seq: number, ts: number, pkt: RtpLike): boolean;
}

export function createFastSender(tr: RTCRtpTransceiver): FastSender {
  const sender = tr.sender as unknown as SenderInternals;
  const state: SendState = { ssrc: sender.ssrc, packets: 0, octets: 0, lastTs: 0, lastSendMs: 0, cname: sender.cname };
  let extSource: SenderInternals['headerExtensions'] | null = null;
  let midId = 0; let absId = 0; let midBuf: Buffer | null = null;
  const cache = (sender.rtpCache ??= []);
  return {
    state,
    send(seq, ts, pkt) {
      const codec = sender.codec;
      const dtls = sender.dtlsTransport;
      if (!codec || dtls.state !== 'connected') return false;
      if (sender.headerExtensions !== extSource) {
        // negotiated ids: looked up again only when a (re)negotiation replaced the list
        extSource = sender.headerExtensions;
        midId = extSource.find((e) => e.uri === MID_URI)?.id ?? 0;
        absId = extSource.find((e) => e.uri === ABS_SEND_TIME_URI)?.id ?? 0;
        midBuf = tr.mid ? Buffer.from(tr.mid) : null;
        state.cname = sender.cname;
      }
      const nowMs = Date.now();
      const extensions: Array<{ id: number; payload: Buffer }> = [];
      if (midId && midBuf) extensions.push({ id: midId, payload: midBuf });
      if (absId) extensions.push({ id: absId, payload: absSendTime(nowMs) });
      const header = new RtpHeader({
        payloadType: codec.payloadType, sequenceNumber: seq, timestamp: ts, ssrc: state.ssrc, marker: pkt.header.marker, extensions,
      });
      // werift's NACK handler resends from this history; the header is ours alone, never mutated after this
      const rtp = new RtpPacket(header, pkt.payload);
      cache[seq % RTP_HISTORY] = rtp;
      state.packets++;
      state.octets += pkt.payload.length;
      state.lastTs = ts;
      state.lastSendMs = nowMs;
      dtls.sendRtp(pkt.payload, header).catch(() => undefined);
      return true;
    },
  };
}

/** abs-send-time: 6.18 fixed-point seconds, 24 bits (what the browser's REMB estimator reads) */
function absSendTime(nowMs: number): Buffer {
  const v = Math.floor((nowMs / 1000) * 262_144) & 0xffffff;
  const b = Buffer.allocUnsafe(3);
  b[0] = v >>> 16; b[1] = (v >>> 8) & 0xff; b[2] = v & 0xff;
  return b;
}

function ntp(ms: number): bigint {
  const s = Math.floor(ms / 1000);
  const frac = Math.floor(((ms - s * 1000) / 1000) * 0x1_0000_0000);
  return (BigInt(s + NTP_EPOCH_OFFSET_S) << 32n) | BigInt(frac);
}

/** One peer's sender reports: every source that has sent, batched into as few RTCP packets as fit. */
export function sendSenderReports(
  dtls: { state: string; sendRtcp(p: RtcpPacket[]): Promise<void> } | undefined,
  states: readonly SendState[],
): number {
  if (!dtls || dtls.state !== 'connected') return 0;
  const live = states.filter((s) => s.packets > 0);
  let sent = 0;
  for (let i = 0; i < live.length; i += SR_PER_PACKET) {
    const batch = live.slice(i, i + SR_PER_PACKET);
    const packets: RtcpPacket[] = batch.map((s) => new RtcpSrPacket({
      ssrc: s.ssrc,
      senderInfo: new RtcpSenderInfo({ ntpTimestamp: ntp(s.lastSendMs), rtpTimestamp: s.lastTs, packetCount: s.packets >>> 0, octetCount: s.octets >>> 0 }),
    }));
    const chunks = batch.filter((s) => s.cname).map((s) => new SourceDescriptionChunk({ source: s.ssrc, items: [new SourceDescriptionItem({ type: 1, text: s.cname! })] }));
    if (chunks.length) packets.push(new RtcpSourceDescriptionPacket({ chunks }));
    dtls.sendRtcp(packets).catch(() => undefined);
    sent++;
  }
  return sent;
}

export function senderDtls(tr: RTCRtpTransceiver) {
  return (tr.sender as unknown as SenderInternals).dtlsTransport;
}
