// The forwarding hot path: one video down-track per (subscriber, publisher). It forwards the packets of its
// current simulcast layer, and switches layers only on a key frame of the target layer (asking for one).
import { isVp8KeyframeStart } from './vp8.js';
import type { OutboundTrack } from './werift-peer.js';
import type { Layer, RtpLike } from './types.js';
import type { Want } from './layer-policy.js';

/** `nacks`: distinct packets the viewer reported missing */
export interface DownTrackCounters { packets: number; bytes: number; nacks: number; switches: number; pliSent: number }

export interface VideoDownTrack {
  readonly out: OutboundTrack;
  readonly counters: DownTrackCounters;
  readonly layer: Layer | null;
  readonly target: Want;
  setTarget(t: Want): void;
  /** the publisher's source restarted (rejoin): wait for a key frame before forwarding again */
  resync(): void;
  /** hot path: a packet of layer `rid` from the publisher */
  push(rid: Layer, pkt: RtpLike): void;
}

export function createVideoDownTrack(out: OutboundTrack, requestKeyframe: (rid: Layer) => void): VideoDownTrack {
  let current: Layer | null = null;
  let target: Want = 'off';
  const counters: DownTrackCounters = { packets: 0, bytes: 0, nacks: 0, switches: 0, pliSent: 0 };
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
    push(rid, pkt) {
      if (rid !== current) {
        if (rid !== target || !isVp8KeyframeStart(pkt.payload)) return;
        current = rid;
        counters.switches++;
        out.sourceChanged(pkt);
      }
      counters.packets++;
      counters.bytes += pkt.payload.length;
      out.send(pkt);
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
