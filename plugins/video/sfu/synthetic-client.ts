// A synthetic call participant on werift, for tests and the benchmark: it speaks our signalling over a
// WebSocket, publishes simulcast VP8-shaped RTP (three rids, each L1T3 as Chrome sends simulcast: TIDs
// 0,2,1,2 with picture id and TL0PICIDX, a key frame about every second, encodings the SFU does not need
// paused as a browser pauses them) plus Opus-shaped audio with RFC 6464 levels, and receives what the SFU
// forwards. Each video payload carries its send time, so the
// receiver measures the latency the SFU adds; sequence gaps per received stream count as loss.
import { WebSocket } from 'ws';
import {
  RTCPeerConnection, RTCRtpCodecParameters, RtpHeader, useNACK, usePLI, useREMB, useSdesMid, useSdesRTPStreamId,
  useAudioLevelIndication, useAbsSendTime, type RTCRtpTransceiver,
} from 'werift';
import { LAYERS, type Layer } from './types.js';
import { isVp8KeyframeStart, parseVp8, pictureIdMask, rewriteVp8 } from './vp8.js';
import { attachLightReceiver, payloadKinds } from './synthetic-light-receiver.js';
import { tuneSockets } from './werift-peer.js';
import { sendDirect, type DtlsInternals } from './werift-outbound.js';
import { writeRtpHeader, type HeaderExt } from './srtp-gcm.js';
import { DEFAULT_SOCKET_BUFFER_BYTES } from './types.js';

/** per layer at 15 frames/s: packets per frame, payload bytes (≈120 kbps / 500 kbps / 1.2 Mbps) */
const SHAPE: Record<Layer, { ppf: number; bytes: number }> = {
  q: { ppf: 1, bytes: 1000 }, h: { ppf: 4, bytes: 1040 }, f: { ppf: 9, bytes: 1110 },
};
/** L1T3: the temporal layer of each frame after a key frame, and whether it depends on TL0 only (layer sync) */
const L1T3 = [{ tid: 0, sync: false }, { tid: 2, sync: true }, { tid: 1, sync: true }, { tid: 2, sync: false }];
/** VP8 payload descriptor: X, I (15-bit picture id), L (TL0PICIDX), T (TID, Y) — 6 bytes */
const DESC = 6;
const MAGIC = 0x6b656675; // "kefu"

export interface SyntheticOptions {
  url: string; room: string; participant: string; name?: string;
  /** layers to publish (default all three); [] = receive only */
  layers?: Layer[];
  audio?: boolean;
  /** RFC 6464 level this participant "speaks" at (0 loud … 127 silent) */
  audioLevel?: number;
  /** count received packets per kind and measure latency/loss */
  receive?: boolean;
  /** count packets off the wire and decrypt only a sample (the benchmark's cheap load generator); no NACK */
  light?: boolean;
  /** keep the forwarded video packets (from the first key frame on), to replay real VP8 elsewhere */
  record?: boolean;
  /** publish this recorded VP8 as the `q` layer instead of synthetic payloads (loops at a key frame) */
  replay?: RecordedPacket[];
  /** join without a subscriber peer (publish only) */
  subscribe?: boolean;
  /** video frames per second (default 15); the bitrate per layer stays the same */
  fps?: number;
  /** SO_RCVBUF/SO_SNDBUF for the peers' sockets (default as the SFU's) */
  socketBufferBytes?: number;
}

/** the SFU dropped a publisher handshake and asked for a new one ({t:'republish'}) */
class RepublishAsked extends Error { constructor() { super('the SFU asked to publish again'); } }

export interface RecordedPacket { timestamp: number; marker: boolean; payload: Buffer }

/** `republishes`: handshakes the SFU gave up on and asked to publish again */
export interface SyntheticStats { rxVideo: number; rxAudio: number; lost: number; late: number; latenciesMs: number[]; txPackets: number; republishes: number }

const codecs = (light = false) => ({
  audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2, rtcpFeedback: light ? [] : [useNACK()] })],
  video: [new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90000, rtcpFeedback: light ? [usePLI()] : [useNACK(), usePLI(), useREMB()] })],
});

export function createSyntheticClient(opts: SyntheticOptions) {
  const stats: SyntheticStats = { rxVideo: 0, rxAudio: 0, lost: 0, late: 0, latenciesMs: [], txPackets: 0, republishes: 0 };
  const timers: NodeJS.Timeout[] = [];
  const pubTimers: NodeJS.Timeout[] = [];
  let ws: WebSocket | null = null;
  let pub: RTCPeerConnection | null = null;
  let sub: RTCPeerConnection | null = null;
  const errors: string[] = [];
  const lastSeq = new Map<number, number>();
  const recording: RecordedPacket[] = [];
  /** rids the SFU asked for ({t:'layers'}); a browser pauses the other encodings the same way */
  let activeRids = new Set<string>(LAYERS);
  let recordSsrc: number | null = null;
  /** rejects the publish whose handshake is in progress (the SFU asked for a new one) */
  let abandon: ((err: Error) => void) | null = null;

  const kinds = new Map<number, 'audio' | 'video'>();
  const tunedSockets = new WeakSet<object>();
  const bufBytes = opts.socketBufferBytes ?? DEFAULT_SOCKET_BUFFER_BYTES;
  let detachLight: (() => void) | null = null;

  function onForwarded(kind: 'audio' | 'video', ssrc: number, seq: number, payload: Buffer) {
    if (opts.light) { latency(kind, payload); return; }
    if (kind === 'video') stats.rxVideo++; else stats.rxAudio++;
    const prev = lastSeq.get(ssrc);
    if (prev !== undefined) {
      const gap = (seq - prev + 65536) % 65536;
      if (gap > 1 && gap < 1000) stats.lost += gap - 1;
    }
    if (prev === undefined || ((seq - prev + 65536) % 65536) < 32768) lastSeq.set(ssrc, seq);
    else stats.late++;
    latency(kind, payload);
  }

  function latency(kind: 'audio' | 'video', payload: Buffer) {
    if (kind !== 'video') return;
    const at = (parseVp8(payload)?.headerLength ?? 0) + 2;
    if (payload.length >= at + 12 && payload.readUInt32BE(at) === MAGIC) {
      const sent = payload.readDoubleBE(at + 4);
      if (stats.latenciesMs.length < 200_000) stats.latenciesMs.push(performance.timeOrigin + performance.now() - sent);
    }
  }

  async function answerOffer(sdp: string, fresh: boolean) {
    if (fresh && sub) { const old = sub; sub = null; detachLight?.(); detachLight = null; void old.close().catch(() => undefined); }
    if (!sub) {
      sub = new RTCPeerConnection({ codecs: codecs(opts.light), headerExtensions: { audio: [useSdesMid(), useAbsSendTime()], video: [useSdesMid(), useAbsSendTime()] }, bundlePolicy: 'max-bundle' });
      sub.onRemoteTransceiverAdded.subscribe((tr: RTCRtpTransceiver) => {
        if (!opts.receive) return;
        tr.onTrack.subscribe((track) => {
          track.onReceiveRtp.subscribe((rtp) => {
            onForwarded(tr.kind === 'audio' ? 'audio' : 'video', rtp.header.ssrc, rtp.header.sequenceNumber, rtp.payload);
            // record one stream only (the first to show a key frame)
            if (opts.record && tr.kind === 'video' && recording.length < 5000 && (recordSsrc === null || recordSsrc === rtp.header.ssrc)) {
              if (recording.length === 0 && !isKeyStart(rtp.payload)) { tr.receiver.sendRtcpPLI(rtp.header.ssrc).catch(() => undefined); return; }
              recordSsrc = rtp.header.ssrc;
              recording.push({ timestamp: rtp.header.timestamp, marker: rtp.header.marker, payload: Buffer.from(rtp.payload) });
            }
          });
        });
      });
    }
    for (const [pt, kind] of payloadKinds(sdp)) kinds.set(pt, kind);
    await sub.setRemoteDescription({ type: 'offer', sdp });
    await sub.setLocalDescription(await sub.createAnswer());
    // a subscriber of a 32-room takes ~400 datagrams/s in bursts: the default buffer overflows on a busy box
    tuneSockets(sub, bufBytes, tunedSockets);
    if (opts.light && opts.receive) {
      const pc = sub;
      // the light receiver's sampling looks like loss to werift's NACK generator and would draw resends
      for (const tr of pc.getTransceivers()) {
        const codecs = (tr.receiver as unknown as { codecs: Record<number, { rtcpFeedback: Array<{ type: string }> }> }).codecs;
        for (const c of Object.values(codecs)) c.rtcpFeedback = c.rtcpFeedback.filter((f) => f.type !== 'nack');
      }
      const attach = () => { detachLight?.(); detachLight = attachLightReceiver(pc, kinds, stats); };
      if (pc.connectionState === 'connected') { if (!detachLight) attach(); } else pc.connectionStateChange.subscribe((st) => { if (st === 'connected' && sub === pc) attach(); });
    }
    ws?.send(JSON.stringify({ t: 'answer', sdp: sub.localDescription!.sdp }));
  }

  async function publish() {
    const layers = opts.layers ?? [...LAYERS];
    if (!layers.length && !opts.audio) return;
    pub = new RTCPeerConnection({
      codecs: codecs(),
      headerExtensions: { audio: [useSdesMid(), useAudioLevelIndication()], video: [useSdesMid(), useSdesRTPStreamId()] },
      // one transport: werift's default leaves the unbundled extras' sockets open after close()
      bundlePolicy: 'max-bundle',
    });
    const vt = layers.length ? pub.addTransceiver('video', { direction: 'sendonly', simulcast: layers.map((rid) => ({ rid, direction: 'send' as const })) }) : null;
    const at = opts.audio !== false ? pub.addTransceiver('audio', { direction: 'sendonly' }) : null;
    await pub.setLocalDescription(await pub.createOffer());
    tuneSockets(pub, bufBytes, tunedSockets);
    const answer = await request('publish', { sdp: pub.localDescription!.sdp });
    await pub.setRemoteDescription({ type: 'answer', sdp: answer.sdp as string });
    // the SFU may give up on this handshake meanwhile ({t:'republish'}): stop waiting for it then
    const pc = pub;
    await new Promise<void>((resolve, reject) => { abandon = reject; waitConnected(pc).then(resolve, reject); }).finally(() => { abandon = null; });
    // the ids the SFU parses are those of its answer (werift answers with its own numbering)
    const ext: Record<string, number> = {};
    for (const m of String(answer.sdp).matchAll(/^a=extmap:(\d+)(?:\/\w+)? (\S+)/gm)) ext[m[2]!] = Number(m[1]);
    const midId = ext['urn:ietf:params:rtp-hdrext:sdes:mid']; const ridId = ext['urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id'];
    const lvlId = ext['urn:ietf:params:rtp-hdrext:ssrc-audio-level'];
    if (vt && opts.replay) startReplay(vt, opts.replay, midId, ridId);
    else if (vt) startVideo(vt, layers, midId, ridId);
    if (at) startAudio(at, midId, lvlId);
  }

  function startVideo(tr: RTCRtpTransceiver, layers: Layer[], midId: number | undefined, ridId: number | undefined) {
    const dtls = tr.sender.dtlsTransport;
    const pt = tr.codecs[0]?.payloadType ?? 96;
    const fps = opts.fps ?? 15;
    // a key frame about every second, on a TL0 frame (the temporal pattern restarts with it)
    const keyEvery = 4 * Math.max(1, Math.round(fps / 4));
    for (const rid of layers) {
      const ppf = Math.max(1, Math.round((SHAPE[rid].ppf * 15) / fps));
      const bytes = Math.min(1200, Math.round((SHAPE[rid].bytes * SHAPE[rid].ppf * 15) / fps / ppf));
      const ssrc = (Math.random() * 0xffffffff) >>> 0;
      let seq = Math.floor(Math.random() * 60000); let ts = Math.floor(Math.random() * 1e9);
      let frame = 0; let pid = Math.floor(Math.random() * 0x8000); let tl0 = Math.floor(Math.random() * 256);
      let paused = false;
      const ext = [
        ...(midId ? [{ id: midId, payload: Buffer.from(tr.mid ?? '0') }] : []),
        ...(ridId ? [{ id: ridId, payload: Buffer.from(rid) }] : []),
      ];
      pubTimers.push(setInterval(() => {
        ts = (ts + 90000 / fps) >>> 0;
        // an encoding the SFU has no use for is paused, as a browser does on {t:'layers'}; it resumes on a key frame
        if (!activeRids.has(rid)) { paused = true; return; }
        if (paused) { paused = false; frame = 0; }
        const key = frame % keyEvery === 0;
        const t = L1T3[frame % 4]!;
        frame++;
        pid = (pid + 1) & 0x7fff;
        if (t.tid === 0) tl0 = (tl0 + 1) & 0xff;
        const now = performance.timeOrigin + performance.now();
        for (let i = 0; i < ppf; i++) {
          const payload = Buffer.alloc(bytes);
          payload[0] = 0x80 | (i === 0 ? 0x10 : 0x00); // X; S on the first packet of a frame; PID 0
          payload[1] = 0xe0; // I, L, T present
          payload[2] = 0x80 | (pid >> 8); payload[3] = pid & 0xff;
          payload[4] = tl0;
          payload[5] = (t.tid << 6) | (t.sync ? 0x20 : 0);
          payload[DESC] = key ? 0x00 : 0x01; // VP8 P bit: 0 = key frame
          payload.writeUInt32BE(MAGIC, DESC + 2); payload.writeDoubleBE(now, DESC + 6);
          sendRtp(dtls, pt, seq, ts, ssrc, i === ppf - 1, ext, payload);
          seq = (seq + 1) & 0xffff;
          stats.txPackets++;
        }
      }, 1000 / fps));
    }
  }

  function startReplay(tr: RTCRtpTransceiver, rec: RecordedPacket[], midId: number | undefined, ridId: number | undefined) {
    // frames = runs of packets sharing a timestamp; the loop ends on the last complete frame
    const frames: RecordedPacket[][] = [];
    for (const p of rec) {
      const cur = frames[frames.length - 1];
      if (cur && cur[0]!.timestamp === p.timestamp) cur.push(p); else frames.push([p]);
    }
    while (frames.length && !frames[frames.length - 1]!.some((p) => p.marker)) frames.pop();
    if (!frames.length) throw new Error('recording holds no complete frame');
    const dtls = tr.sender.dtlsTransport;
    const pt = tr.codecs[0]?.payloadType ?? 96;
    const ssrc = (Math.random() * 0xffffffff) >>> 0;
    const ext = [
      ...(midId ? [{ id: midId, payload: Buffer.from(tr.mid ?? '0') }] : []),
      ...(ridId ? [{ id: ridId, payload: Buffer.from('q') }] : []),
    ];
    // picture ids and TL0PICIDX go on counting from loop to loop, as an encoder's would: a receiver drops a frame
    // whose picture id went back as one it has seen
    const infos = frames.map((f) => f.map((p) => parseVp8(p.payload)));
    const first = infos[0]![0];
    const last = infos[infos.length - 1]![0];
    const pidSpan = first && last && first.pictureIdBits ? ((last.pictureId - first.pictureId) & pictureIdMask(first)) + 1 : 0;
    const tl0Span = first && last && first.tl0At >= 0 ? ((last.tl0PicIdx - first.tl0PicIdx) & 0xff) + 1 : 0;
    let seq = 1; let ts = 0; let i = 0; let loop = 0;
    pubTimers.push(setInterval(() => {
      const frame = frames[i]!;
      const info = infos[i]!;
      i = (i + 1) % frames.length;
      ts = (ts + 6000) >>> 0; // 15 fps
      frame.forEach((p, k) => {
        const d = info[k];
        const payload = loop && d ? rewriteVp8(p.payload, d, d.pictureId + loop * pidSpan, d.tl0PicIdx + loop * tl0Span) : p.payload;
        const header = new RtpHeader({ payloadType: pt, sequenceNumber: seq, timestamp: ts, ssrc, marker: p.marker, extensions: ext });
        seq = (seq + 1) & 0xffff;
        stats.txPackets++;
        void dtls.sendRtp(payload, header);
      });
      if (i === 0) loop++;
    }, 1000 / 15));
  }

  function startAudio(tr: RTCRtpTransceiver, midId: number | undefined, lvlId: number | undefined) {
    const dtls = tr.sender.dtlsTransport;
    const pt = tr.codecs[0]?.payloadType ?? 111;
    const ssrc = tr.sender.ssrc; // werift routes non-simulcast RTP by the ssrc announced in the offer
    let seq = 1; let ts = 0;
    const level = opts.audioLevel ?? 90;
    pubTimers.push(setInterval(() => {
      ts = (ts + 960) >>> 0;
      const ext = [
        ...(midId ? [{ id: midId, payload: Buffer.from(tr.mid ?? '1') }] : []),
        ...(lvlId ? [{ id: lvlId, payload: Buffer.from([0x80 | level]) }] : []),
      ];
      sendRtp(dtls, pt, seq, ts, ssrc, false, ext, Buffer.alloc(80, 0xf8));
      seq = (seq + 1) & 0xffff;
      stats.txPackets++;
    }, 20));
  }

  const joinBody = () => ({ room: opts.room, participant: opts.participant, name: opts.name ?? opts.participant, role: 'guest', subscribe: opts.subscribe !== false });
  /**
   * A handshake can die on a loaded machine: try again with a fresh peer. When the SFU dropped it and asked for a
   * new publish, at once; after our own timeout (`rejoin`), by leaving and joining again.
   */
  async function publishRetrying(rejoin: boolean): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try { await publish(); return; } catch (err) {
        const old = pub; pub = null;
        await old?.close().catch(() => undefined);
        if (attempt >= 5 || (!(err instanceof RepublishAsked) && (!rejoin || attempt >= 3))) throw err;
        if (err instanceof RepublishAsked) continue;
        ws!.send(JSON.stringify({ t: 'leave' }));
        await request('join', joinBody());
      }
    }
  }

  const pending = new Map<string, { resolve(m: Record<string, unknown>): void; reject(e: Error): void }>();
  let refNo = 0;
  function request(t: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const ref = `${t}-${++refNo}`;
    return new Promise((resolve, reject) => {
      pending.set(ref, { resolve, reject });
      ws!.send(JSON.stringify({ t, ...body, ref }));
    });
  }

  return {
    stats, errors, recording,
    async start(): Promise<void> {
      ws = new WebSocket(opts.url);
      await new Promise<void>((res, rej) => { ws!.once('open', () => res()); ws!.once('error', rej); });
      ws.on('message', (data) => {
        const m = JSON.parse(data.toString()) as Record<string, unknown>;
        const ref = m.ref as string | undefined;
        if (ref && pending.has(ref)) {
          const p = pending.get(ref)!; pending.delete(ref);
          if (m.t === 'error') p.reject(new Error(`${String(m.code)}: ${String(m.message)}`)); else p.resolve(m);
          return;
        }
        if (m.t === 'offer') answerOffer(m.sdp as string, m.fresh === true).catch((e) => errors.push(String(e)));
        if (m.t === 'layers' && Array.isArray(m.active)) activeRids = new Set(m.active as string[]);
        if (m.t === 'republish') {
          stats.republishes++;
          for (const t of pubTimers) clearInterval(t);
          pubTimers.length = 0;
          // a publish still waiting for its handshake is retried by its caller, at once
          if (abandon) { abandon(new RepublishAsked()); return; }
          const old = pub; pub = null;
          void old?.close().catch(() => undefined);
          publishRetrying(false).catch((e) => errors.push(`republish: ${String(e)}`));
        }
        if (m.t === 'error') errors.push(`${String(m.code)}: ${String(m.message)}`);
      });
      await request('join', joinBody());
      await publishRetrying(true);
    },
    async stop() {
      for (const t of [...timers, ...pubTimers]) clearInterval(t);
      timers.length = 0; pubTimers.length = 0;
      if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ t: 'leave' }));
      ws?.close();
      await Promise.all([pub?.close(), sub?.close()].map((p) => p?.catch(() => undefined)));
    },
  };
}

/**
 * The generator's publish path: the SFU's direct SRTP-GCM sender (werift's sendRtp costs several times more,
 * and the generators share the box's two cores with the SFU they measure); werift's path when not plain UDP.
 */
function sendRtp(dtls: RTCRtpTransceiver['sender']['dtlsTransport'], pt: number, seq: number, ts: number, ssrc: number, marker: boolean, ext: HeaderExt[], payload: Buffer): void {
  if (sendDirect(dtls as unknown as DtlsInternals, writeRtpHeader(pt, marker, seq, ts, ssrc, ext), payload, undefined, ssrc, seq)) return;
  void dtls.sendRtp(payload, new RtpHeader({ payloadType: pt, sequenceNumber: seq, timestamp: ts, ssrc, marker, extensions: ext }));
}

function isKeyStart(payload: Buffer): boolean {
  return isVp8KeyframeStart(payload);
}

// ICE + DTLS in pure JS beside a dozen peers and browsers can take tens of seconds on a loaded 2-core machine
function waitConnected(pc: RTCPeerConnection, timeoutMs = 45_000): Promise<void> {
  if (pc.connectionState === 'connected') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('synthetic publisher: no connection')), timeoutMs);
    pc.connectionStateChange.subscribe((s) => { if (s === 'connected') { clearTimeout(timer); resolve(); } });
  });
}
