// The forwarding hot path: one video down-track per (subscriber, publisher). It forwards the packets of its
// current simulcast layer, and switches layers only on a key frame of the target layer (asking for one).
// Within the layer a temporal filter may drop the upper temporal layers (grid thumbnails), renumbering.
import { parseVp8, rewriteVp8Prefix, type Vp8Info } from './vp8.js';
import { createTemporalFilter } from './temporal-filter.js';
import type { OutboundTrack } from './werift-peer.js';
import type { Layer, RtpLike } from './types.js';
import type { Want } from './layer-policy.js';

/** `nacks`: distinct packets the viewer reported missing */
/** `nacks`: distinct packets the viewer reported missing; `temporalDrops`: packets of upper temporal layers left out */
export interface DownTrackCounters { packets: number; bytes: number; nacks: number; switches: number; pliSent: number; temporalDrops: number }

export interface VideoDownTrack {
  readonly out: OutboundTrack;
  readonly counters: DownTrackCounters;
  readonly layer: Layer | null;
  readonly target: Want;
  setTarget(t: Want): void;
  /** highest temporal layer to forward (0 = base only … 2 = all of L1T3) */
  setMaxTemporal(tid: number): void;
  readonly maxTemporal: number;
  /** the temporal cap in force (a change waits for a frame the receiver can take) */
  readonly temporal: number;
  /** the publisher's source restarted (rejoin): wait for a key frame before forwarding again */
  resync(): void;
  /** hot path: a packet of layer `rid` from the publisher, with its descriptor when the caller parsed it */
  push(rid: Layer, pkt: RtpLike, info?: Vp8Info | null): void;
}

export function createVideoDownTrack(out: OutboundTrack, requestKeyframe: (rid: Layer) => void): VideoDownTrack {
  let current: Layer | null = null;
  let target: Want = 'off';
  const counters: DownTrackCounters = { packets: 0, bytes: 0, nacks: 0, switches: 0, pliSent: 0, temporalDrops: 0 };
  const filter = createTemporalFilter();
  // what the outbound track reads synchronously; reused, never kept by it
  const scratch: RtpLike = { header: { ssrc: 0, sequenceNumber: 0, timestamp: 0, marker: false, payloadType: 0 }, payload: Buffer.alloc(0), prefix: undefined };
  // count each missing packet once: a viewer asks again for a retransmission that was lost too
  const asked = new Set<number>();
  out.onNack((lost) => {
    if (asked.size > 4096) asked.clear(); // seqs wrap; a rare double count beats unbounded memory
    for (const seq of lost) if (!asked.has(seq)) { asked.add(seq); counters.nacks++; }
  });
  out.onKeyframeRequest(() => { if (current) requestKeyframe(current); });
  return {
    out, counters,
    get layer() { return current; },
    get target() { return target; },
    get maxTemporal() { return filter.maxTid; },
    get temporal() { return filter.currentTid; },
    setMaxTemporal(tid) { filter.setMaxTid(tid); },
    setTarget(t) {
      if (t === target) return;
      target = t;
      if (t === 'off') { current = null; return; }
      if (t !== current) { counters.pliSent++; requestKeyframe(t); }
    },
    resync() {
      current = null;
      if (target !== 'off') { counters.pliSent++; requestKeyframe(target); }
    },
    push(rid, pkt, parsed) {
      const info = parsed === undefined ? parseVp8(pkt.payload) : parsed;
      let switched = false;
      if (rid !== current) {
        if (rid !== target || !info?.keyframe) return;
        current = rid;
        counters.switches++;
        filter.reset();
        switched = true;
      }
      const f = filter.process(pkt.header.sequenceNumber, info);
      if (!f) { counters.temporalDrops++; return; }
      const h = pkt.header; const sh = scratch.header;
      sh.ssrc = h.ssrc; sh.sequenceNumber = f.seq; sh.timestamp = h.timestamp; sh.marker = h.marker; sh.payloadType = h.payloadType;
      scratch.payload = pkt.payload;
      scratch.prefix = f.rewrite && info ? rewriteVp8Prefix(pkt.payload, info, f.pictureId, f.tl0PicIdx) : undefined;
      if (switched) out.sourceChanged(scratch);
      counters.packets++;
      counters.bytes += scratch.payload.length;
      out.send(scratch);
    },
  };
}

/** Keyframe requests to a publisher are rate-limited per layer: many subscribers asking at once means one PLI. */
export function createKeyframeLimiter(minGapMs: number, send: (rid: Layer) => void, now: () => number = Date.now) {
  const last = new Map<Layer, number>();
  let sent = 0; let suppressed = 0;
  return {
    request(rid: Layer) {
      const t = now();
      if (t - (last.get(rid) ?? -Infinity) < minGapMs) { suppressed++; return false; }
      last.set(rid, t); sent++;
      send(rid);
      return true;
    },
    get sent() { return sent; },
    get suppressed() { return suppressed; },
  };
}
