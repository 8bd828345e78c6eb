// Frame rates per simulcast layer and temporal layer of each publication, for the thumbnails' temporal cap.
// The rate is the publisher's (picture id steps count frames lost on the way); the split over temporal
// layers is that of the frames that reached us. An SFU that drops packets under load thus keeps thinning.
import { LAYERS, type Layer } from './types.js';
import type { Publication } from './participant.js';

export function createFrameRateMeter() {
  const last = new WeakMap<Publication, { at: number; n: Record<Layer, number[]>; sent: Record<Layer, number> }>();
  return {
    /** updates `pub.fps` from the counters since the previous call */
    measure(pub: Publication, now: number): void {
      const prev = last.get(pub);
      const snap = { at: now, n: { q: [...pub.frames.q], h: [...pub.frames.h], f: [...pub.frames.f] }, sent: { ...pub.sentFrames } };
      last.set(pub, snap);
      const secs = prev ? (now - prev.at) / 1000 : 0;
      if (!prev || secs <= 0) return;
      for (const l of LAYERS) pub.fps[l] = framesPerTid(snap.n[l].map((n, t) => n - prev.n[l][t]!), (snap.sent[l] - prev.sent[l]) / secs);
    },
  };
}

/** The publisher's frame rate split over temporal layers in the proportions of the frames that reached us. */
export function framesPerTid(received: readonly number[], sentFps: number): number[] {
  const total = received.reduce((a, b) => a + b, 0);
  return total > 0 ? received.map((n) => (sentFps * n) / total) : received.map(() => 0);
}
