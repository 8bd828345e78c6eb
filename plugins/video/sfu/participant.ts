// One participant's media state in a room: what it publishes (inbound streams and who is fed from them)
// and what it receives (slots on its subscriber peer, each bound to one other participant).
import { createKeyframeLimiter, createVideoDownTrack, type VideoDownTrack } from './down-track.js';
import type { SubscriberView } from './layer-policy.js';
import type { InboundStream, OutboundTrack, PublisherPeer, SubscriberPeer } from './werift-peer.js';
import { LAYERS, type Layer } from './types.js';
import { parseVp8, pictureIdMask } from './vp8.js';

export interface Slot {
  readonly index: number;
  readonly video: VideoDownTrack;
  readonly audio: OutboundTrack;
  publisherId: string | null;
  audioPackets: number;
  /** the audio source changed: continue sequence numbers on the next packet */
  audioResync: boolean;
}

export interface Publication {
  readonly peer: PublisherPeer;
  readonly video: Map<Layer, InboundStream>;
  audio: InboundStream | null;
  /** packets received per layer (and audio), cumulative */
  readonly rx: Record<Layer | 'audio', number>;
  /** sequence numbers missing on arrival (publisher → SFU loss, or the SFU's own receive drops), cumulative */
  rxGaps: number;
  /** tick number at which each layer last carried packets */
  readonly seenTick: Record<Layer, number>;
  /** frames started per layer and temporal layer (TID 0..3) that reached us, cumulative */
  readonly frames: Record<Layer, number[]>;
  /** frames the publisher sent per layer, from picture id steps (counts lost frames too), cumulative */
  readonly sentFrames: Record<Layer, number>;
  /** frames per second per layer and TID, measured over the last few ticks (the room updates it) */
  fps: Record<Layer, number[]>;
  activeLayers: Layer[];
  state: string;
}

export interface Subscription {
  readonly peer: SubscriberPeer;
  readonly slots: Slot[];
  negotiating: boolean;
  renegotiate: boolean;
  connected: boolean;
  /** forwarded video bytes at the last tick, for the send rate */
  lastBytes: number;
  /** a first offer went out; later ones renegotiate the same peer */
  offered: boolean;
}

export interface Participant {
  readonly id: string;
  name: string;
  role: string;
  readonly joinedAt: number;
  muted: { audio: boolean; video: boolean };
  view: SubscriberView;
  /** in the last-N set: its audio is forwarded */
  audible: boolean;
  away: boolean;
  pub: Publication | null;
  sub: Subscription | null;
  /** down-tracks (in other participants' slots) fed from this participant's video */
  readonly videoSinks: Set<VideoDownTrack>;
  /** audio tracks (in other participants' slots) fed from this participant's audio */
  readonly audioSinks: Set<Slot>;
  readonly keyframes: ReturnType<typeof createKeyframeLimiter>;
  /** RFC 6464 levels go to the room's speaker tracker */
  onLevel: ((level: number) => void) | null;
}

export function createParticipant(info: { id: string; name: string; role: string }, keyframeGapMs: number): Participant {
  const p: Participant = {
    ...info, joinedAt: Date.now(), muted: { audio: false, video: false }, view: {}, audible: false, away: false,
    pub: null, sub: null, videoSinks: new Set(), audioSinks: new Set(), onLevel: null,
    keyframes: createKeyframeLimiter(keyframeGapMs, (rid) => p.pub?.video.get(rid)?.requestKeyframe()),
  };
  return p;
}

/** Wires a publisher peer's inbound streams to this participant's sinks. This closure is the hot path. */
export function attachPublication(p: Participant, peer: PublisherPeer, tickNow: () => number): Publication {
  const pub: Publication = {
    peer, video: new Map(), audio: null,
    rx: { q: 0, h: 0, f: 0, audio: 0 }, rxGaps: 0, seenTick: { q: -1, h: -1, f: -1 }, activeLayers: [...LAYERS], state: 'new',
    frames: { q: [0, 0, 0, 0], h: [0, 0, 0, 0], f: [0, 0, 0, 0] }, sentFrames: { q: 0, h: 0, f: 0 }, fps: { q: [0, 0, 0, 0], h: [0, 0, 0, 0], f: [0, 0, 0, 0] },
  };
  peer.onState((st) => { pub.state = st; });
  peer.onStream((s) => {
    if (s.kind === 'audio') {
      pub.audio = s;
      const gaps = gapCounter(pub);
      let skipped = false; // packets held back (out of last-N, muted): the next one forwarded resumes the sequence
      s.onRtp((pkt, level) => {
        pub.rx.audio++;
        gaps(pkt.header.sequenceNumber);
        if (level !== undefined) p.onLevel?.(level);
        if (!p.audible || p.muted.audio) { skipped = true; return; }
        const resumed = skipped;
        skipped = false;
        for (const slot of p.audioSinks) {
          if (slot.audioResync) { slot.audio.sourceChanged(pkt); slot.audioResync = false; }
          else if (resumed) slot.audio.resumed(pkt);
          slot.audioPackets++;
          slot.audio.send(pkt);
        }
      });
      return;
    }
    // a browser without simulcast sends one unnamed stream: treat it as the full layer
    const rid = (LAYERS as readonly string[]).includes(s.rid ?? '') ? (s.rid as Layer) : 'f';
    pub.video.set(rid, s);
    const frames = pub.frames[rid];
    let lastPid = -1;
    const gaps = gapCounter(pub);
    s.onRtp((pkt) => {
      pub.rx[rid]++;
      gaps(pkt.header.sequenceNumber);
      pub.seenTick[rid] = tickNow();
      // the descriptor is parsed once here, not once per subscriber
      const info = parseVp8(pkt.payload);
      if (info?.frameStart) {
        frames[info.tid]!++;
        // the publisher's frame rate must not sink with our own losses (an overloaded SFU would then stop thinning)
        if (info.pictureIdBits) {
          const step = lastPid < 0 ? 1 : (info.pictureId - lastPid) & pictureIdMask(info);
          if (step > 0 && step < 64) pub.sentFrames[rid] += step;
          lastPid = info.pictureId;
        } else pub.sentFrames[rid]++;
      }
      if (p.muted.video) return;
      for (const dt of p.videoSinks) dt.push(rid, pkt, info);
    });
  });
  return pub;
}

/** counts sequence numbers skipped on one inbound stream (a late packet is not counted twice) */
function gapCounter(pub: Publication) {
  let last = -1;
  return (seq: number) => {
    if (last >= 0) {
      const gap = (seq - last) & 0xffff;
      if (gap === 0 || gap >= 0x8000) return; // a duplicate or a late packet
      if (gap > 1 && gap < 1000) pub.rxGaps += gap - 1;
    }
    last = seq;
  };
}

export function createSlot(index: number, video: OutboundTrack, audio: OutboundTrack, pubOf: (s: Slot) => Participant | undefined): Slot {
  const slot: Slot = {
    index, audio, publisherId: null, audioPackets: 0, audioResync: true,
    video: createVideoDownTrack(video, (rid) => { pubOf(slot)?.keyframes.request(rid); }),
  };
  audio.onKeyframeRequest(() => undefined);
  return slot;
}
