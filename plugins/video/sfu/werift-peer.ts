// The only place that touches werift (with werift-outbound.ts, its send path): publisher and subscriber peer
// connections behind a small interface, so an upgrade (or a different WebRTC stack) stays in this folder.
import {
  RTCPeerConnection, RTCRtpCodecParameters, ReceiverEstimatedMaxBitrate, RtcpPayloadSpecificFeedback, useNACK, usePLI, useFIR, useREMB,
  useSdesMid, useSdesRTPStreamId, useAbsSendTime, useAudioLevelIndication,
  type RTCRtpTransceiver, type MediaStreamTrack, type RTCRtpSender, type RTCDataChannel,
} from 'werift';
import { DEFAULT_SOCKET_BUFFER_BYTES, type PeerNetConfig, type RtpLike } from './types.js';
import type { SealPool } from './seal-pool.js';
import { createSeqRewriter } from './seq-rewriter.js';
import { createFastSender, sendSenderReports, senderDtls, type FastSender, type SendState } from './werift-outbound.js';

const AUDIO_LEVEL_URI = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';

// Bandwidth estimation is REMB both ways. Towards publishers we send REMB ourselves: werift's transport-cc
// feedback left Chrome's send estimate stuck at its 300 kbps start value (measured), so the browser never
// enabled its upper simulcast layers. Our REMB carries the LAN budget (net.publishBps); Chrome still lowers
// its rate on loss from our receiver reports. From subscribers we read REMB per sender for layer decisions.
function peerConfig(net: PeerNetConfig, _role: 'publish' | 'subscribe') {
  const bwe = [useREMB()];
  return {
    codecs: {
      audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2, rtcpFeedback: [useNACK()] })],
      video: [new RTCRtpCodecParameters({
        mimeType: 'video/VP8', clockRate: 90000,
        rtcpFeedback: [useNACK(), usePLI(), useFIR(), ...bwe],
      })],
    },
    headerExtensions: {
      audio: [useSdesMid(), useAudioLevelIndication(), useAbsSendTime()],
      video: _role === 'publish' ? [useSdesMid(), useSdesRTPStreamId(), useAbsSendTime()] : [useSdesMid(), useAbsSendTime()],
    },
    iceServers: net.turn ? [{ urls: net.turn.urls, username: net.turn.username, credential: net.turn.credential }] : [],
    ...(net.portRange ? { icePortRange: net.portRange as [number, number] } : {}),
    ...(net.additionalHosts?.length ? { iceAdditionalHostAddresses: net.additionalHosts } : {}),
    iceUseIpv6: false,
    // one transport for all m-lines from the start: with werift's default (max-compat) an offer gathers an ICE
    // agent per transceiver and drops the extras unclosed when the answer bundles (sockets leaked, and most of
    // a join's CPU spent gathering); every browser bundles
    bundlePolicy: 'max-bundle' as const,
  };
}

interface IceSockets { iceTransports: Array<{ connection?: { protocols?: Array<{ transport?: { socket?: import('node:dgram').Socket; type?: string } }> } }> }
/**
 * Enlarges the receive and send buffers of a peer's UDP sockets (werift leaves the kernel default). Safe to call
 * again: sockets already done are skipped. Returns the receive buffer size the kernel granted (0 = none yet).
 */
export function tuneSockets(pc: RTCPeerConnection, bytes: number, done: WeakSet<object>): number {
  let granted = 0;
  for (const t of (pc as unknown as IceSockets).iceTransports) {
    for (const pr of t.connection?.protocols ?? []) {
      const socket = pr.transport?.type === 'udp' ? pr.transport.socket : undefined;
      if (!socket) continue;
      try {
        if (!done.has(socket)) { socket.setRecvBufferSize(bytes); socket.setSendBufferSize(bytes); done.add(socket); }
        granted = Math.max(granted, socket.getRecvBufferSize());
      } catch { /* not bound yet, or closed: the next call retries */ }
    }
  }
  return granted;
}

/** Tunes a peer's sockets when it connects; the function it returns tunes them now (once an offer or answer bound them). */
function socketTuner(pc: RTCPeerConnection, net: PeerNetConfig): () => void {
  const done = new WeakSet<object>();
  const bytes = net.socketBufferBytes ?? DEFAULT_SOCKET_BUFFER_BYTES;
  pc.connectionStateChange.subscribe((s) => { if (s === 'connected') tuneSockets(pc, bytes, done); });
  return () => { tuneSockets(pc, bytes, done); };
}

export type ConnState = 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed';

/** One inbound RTP stream: an audio track or one simulcast layer of a video track. */
export interface InboundStream {
  readonly kind: 'audio' | 'video';
  readonly rid: string | undefined;
  ssrc(): number | undefined;
  /** fn gets the packet and (audio) the RFC 6464 level in -dBov (0 loud … 127 silent) */
  onRtp(fn: (pkt: RtpLike, audioLevel: number | undefined) => void): void;
  requestKeyframe(): void;
}

export interface PublisherPeer {
  answer(offerSdp: string): Promise<string>;
  onStream(fn: (s: InboundStream) => void): void;
  onState(fn: (s: ConnState) => void): void;
  close(): Promise<void>;
}

/** A sending track on a subscriber peer; `send` never changes the packet it is given (one packet goes to many). */
export interface OutboundTrack {
  readonly kind: 'audio' | 'video';
  readonly mid: () => string | null;
  send(pkt: RtpLike): void;
  /** Call when the source changes (another layer or publisher) so sequence numbers and timestamps continue. */
  sourceChanged(pkt: RtpLike): void;
  /** Call when forwarding resumes after skipped packets of the same source (last-N, mute): no sequence gap. */
  resumed(pkt: RtpLike): void;
  onKeyframeRequest(fn: () => void): void;
  /** the sequence numbers a viewer reports missing (a seq can be asked for again) */
  onNack(fn: (lost: readonly number[]) => void): void;
  /** REMB from the receiving browser, bits/s (0 when none yet). */
  estimateBps(): number;
}

export interface SubscriberPeer {
  addTrack(kind: 'audio' | 'video'): OutboundTrack;
  createOffer(): Promise<string>;
  applyAnswer(sdp: string): Promise<void>;
  onState(fn: (s: ConnState) => void): void;
  onData(fn: (msg: string) => void): void;
  sendData(msg: string): boolean;
  close(): Promise<void>;
}

export function createPublisherPeer(net: PeerNetConfig): PublisherPeer {
  const pc = new RTCPeerConnection(peerConfig(net, 'publish'));
  const tune = socketTuner(pc, net);
  const streamListeners: Array<(s: InboundStream) => void> = [];
  const videoSsrcs = new Set<number>();
  let videoTr: RTCRtpTransceiver | null = null;
  pc.onRemoteTransceiverAdded.subscribe((tr: RTCRtpTransceiver) => {
    if (tr.kind === 'video') videoTr = tr;
    tr.onTrack.subscribe((track: MediaStreamTrack) => {
      const s = wrapInbound(tr, track);
      if (s.kind === 'video') s.onRtp((pkt) => { if (!videoSsrcs.has(pkt.header.ssrc)) videoSsrcs.add(pkt.header.ssrc); });
      for (const fn of streamListeners) fn(s);
    });
  });
  const rembTimer = setInterval(() => {
    const tr = videoTr;
    if (!tr || videoSsrcs.size === 0 || pc.connectionState !== 'connected') return;
    tr.receiver.dtlsTransport.sendRtcp([rembPacket(tr.receiver.rtcpSsrc, net.publishBps ?? 2_000_000, [...videoSsrcs])]).catch(() => undefined);
  }, 1000);
  rembTimer.unref();
  return {
    async answer(offerSdp) {
      await pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      tune();
      return pc.localDescription!.sdp;
    },
    onStream(fn) { streamListeners.push(fn); },
    onState(fn) { pc.connectionStateChange.subscribe((s) => fn(s)); },
    async close() { clearInterval(rembTimer); await closeWithin(pc); },
  };
}

function rembPacket(senderSsrc: number, bps: number, ssrcs: number[]) {
  let exp = 0;
  let mantissa = Math.floor(bps);
  while (mantissa >= 1 << 18) { mantissa = Math.floor(mantissa / 2); exp++; }
  const remb = new ReceiverEstimatedMaxBitrate({
    senderSsrc, mediaSsrc: 0, ssrcNum: ssrcs.length, brExp: exp, brMantissa: mantissa, bitrate: BigInt(mantissa) << BigInt(exp), ssrcFeedbacks: ssrcs,
  });
  return new RtcpPayloadSpecificFeedback({ feedback: remb });
}

function wrapInbound(tr: RTCRtpTransceiver, track: MediaStreamTrack): InboundStream {
  const kind = track.kind === 'audio' ? 'audio' : 'video';
  let lastSsrc: number | undefined = track.ssrc;
  return {
    kind, rid: track.rid || undefined,
    ssrc: () => lastSsrc,
    onRtp(fn) {
      track.onReceiveRtp.subscribe((rtp, ext) => {
        lastSsrc = rtp.header.ssrc;
        const lvl = ext ? (ext[AUDIO_LEVEL_URI] as { level: number } | undefined) : undefined;
        fn(rtp as unknown as RtpLike, lvl ? lvl.level : undefined);
      });
    },
    requestKeyframe() {
      if (lastSsrc !== undefined) tr.receiver.sendRtcpPLI(lastSsrc).catch(() => undefined);
    },
  };
}

/** `sealer`: a worker thread that seals SRTP for this peer's tracks (seal-pool.ts); none = in line */
export function createSubscriberPeer(net: PeerNetConfig, sealer?: SealPool): SubscriberPeer {
  const pc = new RTCPeerConnection(peerConfig(net, 'subscribe'));
  const tune = socketTuner(pc, net);
  const dataListeners: Array<(m: string) => void> = [];
  const dc: RTCDataChannel = pc.createDataChannel('kefu');
  dc.onMessage.subscribe((m) => { for (const fn of dataListeners) fn(typeof m === 'string' ? m : m.toString()); });
  const sent: SendState[] = [];
  let firstTr: RTCRtpTransceiver | null = null;
  // one sender-report round per peer and second (werift ran one timer and one packet per track)
  const srTimer = setInterval(() => { if (firstTr) sendSenderReports(senderDtls(firstTr), sent); }, 1000);
  srTimer.unref();
  return {
    addTrack(kind) {
      const tr = pc.addTransceiver(kind, { direction: 'sendonly' });
      firstTr ??= tr;
      const fast = createFastSender(tr, true, sealer);
      sent.push(fast.state);
      return wrapOutbound(kind, tr, fast);
    },
    async createOffer() {
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      tune();
      return pc.localDescription!.sdp;
    },
    async applyAnswer(sdp) { await pc.setRemoteDescription({ type: 'answer', sdp }); },
    onState(fn) { pc.connectionStateChange.subscribe((s) => fn(s)); },
    onData(fn) { dataListeners.push(fn); },
    sendData(msg) {
      if (dc.readyState !== 'open') return false;
      dc.send(msg);
      return true;
    },
    async close() { clearInterval(srTimer); await closeWithin(pc); },
  };
}

/** werift's close can wait on a dead transport; a stop must not hang on it */
function closeWithin(pc: RTCPeerConnection, ms = 2000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    pc.close().catch(() => undefined),
    new Promise<void>((resolve) => { timer = setTimeout(resolve, ms); }),
  ]).finally(() => clearTimeout(timer));
}

function wrapOutbound(kind: 'audio' | 'video', tr: RTCRtpTransceiver, fast: FastSender): OutboundTrack {
  const sender: RTCRtpSender = tr.sender;
  // Our own rewriting across source changes: werift's replaceRTP repeats (or skips) one sequence number.
  const rewrite = createSeqRewriter(kind === 'video' ? 3000 : 960);
  return {
    kind,
    mid: () => tr.mid,
    send(pkt) {
      const [seq, ts] = rewrite.map(pkt.header.sequenceNumber, pkt.header.timestamp);
      if (fast.send(seq, ts, pkt)) rewrite.sent(seq, ts);
    },
    sourceChanged: (pkt) => rewrite.sourceChanged(pkt.header.sequenceNumber, pkt.header.timestamp),
    resumed: (pkt) => rewrite.resumed(pkt.header.sequenceNumber),
    onKeyframeRequest(fn) {
      sender.onPictureLossIndication.subscribe(() => fn());
      sender.onRtcp.subscribe((p) => {
        // FIR (RFC 5104, PSFB FMT 4) is not surfaced by werift as an event
        const fb = (p as { type?: number; feedback?: { count?: number } });
        if (fb.type === 206 && fb.feedback?.count === 4) fn();
      });
    },
    onNack(fn) { sender.onGenericNack.subscribe((n) => fn(n.lost)); },
    estimateBps: () => Number(sender.receiverEstimatedMaxBitrate ?? 0n),
  };
}
