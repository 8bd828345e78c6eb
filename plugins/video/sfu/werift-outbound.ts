// The SFU's send path on werift, the per-packet hot spot of a big room. werift's RTCRtpSender.sendRtp costs
// more than the encryption it leads to (profiled: header extensions rebuilt through closures and sorted per
// packet, an NTP time formatted through strings, a bandwidth-estimator entry, and one sender-report loop per
// track, each with its own timer and UDP packet). We build the header once per packet with the two extensions
// our subscribers negotiate (mid, abs-send-time) and hand it straight to the DTLS transport. What werift's
// sender did for us we keep: its NACK history is filled so its retransmission still answers NACKs, and sender
// reports (for the browser's audio/video sync) go out once a second per peer, many sources per RTCP packet.
// When the transport is plain UDP with AES-GCM SRTP (what browsers negotiate with us) the packet is sealed
// here (srtp-gcm.ts) and written to the ICE socket directly: werift's path costs three promises, a header
// object serialized bit by bit, and a nextTick per packet. werift's rollover state is kept in step.
import type { Socket } from 'node:dgram';
import {
  RtpHeader, RtpPacket, RtcpSrPacket, RtcpSenderInfo, RtcpSourceDescriptionPacket, SourceDescriptionChunk,
  SourceDescriptionItem, type RTCRtpTransceiver, type RtcpPacket,
} from 'werift';
import { payloadOf, type RtpLike } from './types.js';
import { sealRtpGcm, writeRtpHeader, type HeaderExt } from './srtp-gcm.js';
import type { SealPool } from './seal-pool.js';

/** The RTCRtpSender fields we read or fill; `private` in werift's typings, stable across 0.2x. */
interface SenderInternals {
  readonly ssrc: number;
  codec?: { payloadType: number };
  dtlsTransport: DtlsInternals;
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

interface SrtpState { rolloverCounter: number }
/** werift's RTCDtlsTransport as far as the direct path reads it */
export interface DtlsInternals {
  state: string;
  sendRtp(payload: Buffer, header: RtpHeader): Promise<number>;
  sendRtcp(p: RtcpPacket[]): Promise<void>;
  bytesSent?: number;
  packetsSent?: number;
  srtp?: { localContext?: {
    cipher?: { srtpSessionKey?: Buffer; srtpSessionSalt?: Buffer; aeadAuthTagLen?: number };
    getSrtpSsrcState(ssrc: number): SrtpState;
    updateRolloverCount(seq: number, s: SrtpState): void;
  } };
  iceTransport?: { connection?: { nominated?: {
    remoteAddr: [string, number];
    protocol: { transport?: { socket?: Socket; closed?: boolean }; turn?: unknown };
    packetsSent: number; bytesSent: number;
  } } };
}

/**
 * A NACK-history entry, one per history slot and reused: werift's RtpHeader (and the payload with a rewritten
 * descriptor) are built only when a NACK asks for the packet again. werift reads an entry synchronously.
 */
class HistoryEntry {
  private built: RtpHeader | undefined;
  private full: Buffer | undefined;
  private src: Buffer = Buffer.alloc(0); private prefix: Buffer | undefined;
  private pt = 0; private seq = -1; private ts = 0; private ssrc = 0; private marker = false;
  private exts: HeaderExt[] = [];
  set(src: Buffer, prefix: Buffer | undefined, pt: number, seq: number, ts: number, ssrc: number, marker: boolean, exts: HeaderExt[]): void {
    this.src = src; this.prefix = prefix; this.pt = pt; this.seq = seq; this.ts = ts; this.ssrc = ssrc; this.marker = marker; this.exts = exts;
    this.built = undefined; this.full = undefined;
  }
  get payload(): Buffer {
    this.full ??= payloadOf({ header: this.header, payload: this.src, prefix: this.prefix });
    return this.full;
  }
  get header(): RtpHeader {
    this.built ??= new RtpHeader({ payloadType: this.pt, sequenceNumber: this.seq, timestamp: this.ts, ssrc: this.ssrc, marker: this.marker, extensions: this.exts });
    return this.built;
  }
}

/** Sends on the socket itself; false when the transport is not plain UDP + GCM (werift's path is used). */
export function sendDirect(dtls: DtlsInternals, header: Buffer, payload: Buffer, prefix: Buffer | undefined, ssrc: number, seq: number, sealer?: SealPool): boolean {
  const ctx = dtls.srtp?.localContext;
  const cipher = ctx?.cipher;
  const pair = dtls.iceTransport?.connection?.nominated;
  const transport = pair?.protocol.transport;
  const socket = transport?.socket;
  if (!pair || !ctx || !cipher?.srtpSessionKey || !cipher.srtpSessionSalt || cipher.aeadAuthTagLen !== 16 || !socket || pair.protocol.turn || transport.closed) return false;
  const s = ctx.getSrtpSsrcState(ssrc);
  ctx.updateRolloverCount(seq, s);
  const bytes = header.length + payload.length + 16;
  if (!sealer?.seal(cipher.srtpSessionKey, cipher.srtpSessionSalt, header, payload, prefix, ssrc, s.rolloverCounter, seq, socket, pair.remoteAddr[1], pair.remoteAddr[0])) {
    socket.send(sealRtpGcm(cipher.srtpSessionKey, cipher.srtpSessionSalt, header, payload, ssrc, s.rolloverCounter, seq, prefix), pair.remoteAddr[1], pair.remoteAddr[0]);
  }
  dtls.bytesSent = (dtls.bytesSent ?? 0) + bytes;
  dtls.packetsSent = (dtls.packetsSent ?? 0) + 1;
  pair.packetsSent++; pair.bytesSent += bytes;
  return true;
}

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

/** `direct: false` keeps werift's encryption and socket path (for comparison in tests and benchmarks) */
export function createFastSender(tr: RTCRtpTransceiver, direct = true, sealer?: SealPool): FastSender {
  const sender = tr.sender as unknown as SenderInternals;
  const state: SendState = { ssrc: sender.ssrc, packets: 0, octets: 0, lastTs: 0, lastSendMs: 0, cname: sender.cname };
  let extSource: SenderInternals['headerExtensions'] | null = null;
  let midId = 0; let absId = 0; let midBuf: Buffer | null = null;
  const cache = (sender.rtpCache ??= []);
  const history: HistoryEntry[] = [];
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
      // one array per packet, shared by the header writer and the history entry (which keeps it)
      const extensions: HeaderExt[] = [];
      if (midId && midBuf) extensions.push({ id: midId, payload: midBuf });
      if (absId) extensions.push({ id: absId, payload: absSendTime(nowMs) });
      const pt = codec.payloadType; const marker = pkt.header.marker;
      state.packets++;
      state.octets += pkt.payload.length;
      state.lastTs = ts;
      state.lastSendMs = nowMs;
      // werift's NACK handler resends from this history (seq % 128, checked against the header's seq)
      if (direct && sendDirect(dtls, writeRtpHeader(pt, marker, seq, ts, state.ssrc, extensions), pkt.payload, pkt.prefix, state.ssrc, seq, sealer)) {
        const slot = seq % RTP_HISTORY;
        const entry = (history[slot] ??= new HistoryEntry());
        entry.set(pkt.payload, pkt.prefix, pt, seq, ts, state.ssrc, marker, extensions);
        cache[slot] = entry as unknown as RtpPacket;
        return true;
      }
      const header = new RtpHeader({ payloadType: pt, sequenceNumber: seq, timestamp: ts, ssrc: state.ssrc, marker, extensions });
      const payload = payloadOf(pkt);
      cache[seq % RTP_HISTORY] = new RtpPacket(header, payload);
      dtls.sendRtp(payload, header).catch(() => undefined);
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
