// The five QoS metrics per tile, from a viewer's cumulative getStats() counters (pure).
//
// Blur: a sharpness score 0–100 (100 = sharp) from two sources, the lower one wins:
//  - decoder QP: mean VP8 quantiser over the window, Δ qpSum / Δ framesDecoded (0…127; high QP = coarse,
//    blocky, smeared picture). score_qp = 100 · (1 − clamp((qp − 20) / 80)).
//  - Laplacian variance: the page samples the rendered <video> into a 64×36 canvas every few seconds,
//    converts to luma and takes the variance of the 4-neighbour Laplacian (an edge-energy measure that drops
//    when the picture is blurred or upscaled from a thumbnail layer). score_lap = 100 · clamp(var / 250).
// Freeze: Δ freezeCount and Δ totalFreezesDuration over the last 10 s (Chrome counts a freeze when a frame
// arrives late by max(3 × mean frame gap, mean + 150 ms)), plus "frozen now": bytes arrive but no frame is
// decoded for ≥ 1 s. Audio stutter: Δ concealedSamples (minus silent ones) / Δ totalSamplesReceived over 5 s,
// and Δ concealmentEvents.
import type { InboundStat } from '../signalling/messages.js';

export type Level = 'ok' | 'warn' | 'bad' | 'idle';

export interface TileMetrics {
  videoKbps: number | null;
  audioKbps: number | null;
  fps: number | null;
  width: number | null;
  height: number | null;
  lossPct: number | null;
  blur: { score: number | null; qp: number | null; laplacian: number | null };
  freeze: { count: number; seconds: number; frozenNow: boolean };
  stutter: { pct: number | null; events: number };
}

export interface TileLevels { videoBitrate: Level; blur: Level; freeze: Level; stutter: Level; audioBitrate: Level }

export interface Sample { ts: number; video?: InboundStat; audio?: InboundStat; laplacian?: number }

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));
const d = (a: number | undefined, b: number | undefined) => (a ?? 0) - (b ?? 0);

/** Newest sample at or before `ts - windowMs`, else the oldest we have. */
function base(history: readonly Sample[], windowMs: number): Sample | undefined {
  const last = history[history.length - 1];
  if (!last) return undefined;
  let pick: Sample | undefined;
  for (const s of history) { if (s.ts <= last.ts - windowMs) pick = s; }
  return pick ?? history[0];
}

export function computeTile(history: readonly Sample[], audible = true): TileMetrics {
  const cur = history[history.length - 1];
  const empty: TileMetrics = {
    videoKbps: null, audioKbps: null, fps: null, width: null, height: null, lossPct: null,
    blur: { score: null, qp: null, laplacian: null }, freeze: { count: 0, seconds: 0, frozenNow: false }, stutter: { pct: null, events: 0 },
  };
  if (!cur) return empty;
  const b2 = base(history, 2000); const b5 = base(history, 5000); const b10 = base(history, 10000);
  const m = { ...empty };
  const v = cur.video; const a = cur.audio;
  if (v && b2?.video && b2 !== cur) {
    const dt = (cur.ts - b2.ts) / 1000;
    m.videoKbps = Math.max(0, d(v.bytesReceived, b2.video.bytesReceived) * 8 / 1000 / dt);
    m.fps = Math.max(0, d(v.framesDecoded, b2.video.framesDecoded) / dt);
    const rcv = d(v.packetsReceived, b2.video.packetsReceived); const lost = d(v.packetsLost, b2.video.packetsLost);
    m.lossPct = rcv + lost > 0 ? Math.max(0, 100 * lost / (rcv + lost)) : null;
  }
  if (v) { m.width = v.frameWidth ?? null; m.height = v.frameHeight ?? null; }
  if (v && b5?.video && b5 !== cur) {
    const frames = d(v.framesDecoded, b5.video.framesDecoded);
    if (frames > 0 && v.qpSum !== undefined) m.blur.qp = d(v.qpSum, b5.video.qpSum) / frames;
  }
  const lap = [...history].reverse().find((s) => s.laplacian !== undefined)?.laplacian;
  if (lap !== undefined) m.blur.laplacian = lap;
  const scores: number[] = [];
  if (m.blur.qp !== null) scores.push(100 * (1 - clamp01((m.blur.qp - 20) / 80)));
  if (m.blur.laplacian !== null) scores.push(100 * clamp01(m.blur.laplacian / 250));
  m.blur.score = scores.length ? Math.round(Math.min(...scores)) : null;
  if (v && b10?.video && b10 !== cur) {
    m.freeze = {
      count: Math.max(0, d(v.freezeCount, b10.video.freezeCount)),
      seconds: Math.max(0, d(v.totalFreezesDuration, b10.video.totalFreezesDuration)),
      frozenNow: false,
    };
  }
  // frozen now: media arrives (or should) but nothing was decoded in the last second
  const b1 = base(history, 1000);
  if (v && b1?.video && b1 !== cur && cur.ts - b1.ts >= 900) {
    if (d(v.framesDecoded, b1.video.framesDecoded) === 0) m.freeze.frozenNow = true;
  }
  if (a && b2?.audio && b2 !== cur) {
    m.audioKbps = Math.max(0, d(a.bytesReceived, b2.audio.bytesReceived) * 8 / 1000 / ((cur.ts - b2.ts) / 1000));
  }
  if (a && b5?.audio && b5 !== cur && audible) {
    const total = d(a.totalSamplesReceived, b5.audio.totalSamplesReceived);
    const concealed = d(a.concealedSamples, b5.audio.concealedSamples) - d(a.silentConcealedSamples, b5.audio.silentConcealedSamples);
    m.stutter = { pct: total > 0 ? Math.max(0, 100 * concealed / total) : null, events: Math.max(0, d(a.concealmentEvents, b5.audio.concealmentEvents)) };
  }
  return m;
}

export interface Thresholds {
  videoKbps: [number, number]; blurScore: [number, number]; freezeSeconds: [number, number];
  stutterPct: [number, number]; audioKbps: [number, number];
}
/** [warn, bad] boundaries; bitrates and blur are "lower is worse". */
export const DEFAULT_THRESHOLDS: Thresholds = {
  videoKbps: [60, 20], blurScore: [50, 25], freezeSeconds: [0.001, 1], stutterPct: [2, 8], audioKbps: [16, 6],
};

const lowBad = (x: number | null, [warn, bad]: [number, number]): Level => (x === null ? 'idle' : x < bad ? 'bad' : x < warn ? 'warn' : 'ok');
const highBad = (x: number | null, [warn, bad]: [number, number]): Level => (x === null ? 'idle' : x >= bad ? 'bad' : x >= warn ? 'warn' : 'ok');

export function tileLevels(m: TileMetrics, opts: { videoOn: boolean; audible: boolean; t?: Thresholds }): TileLevels {
  const t = opts.t ?? DEFAULT_THRESHOLDS;
  const freeze: Level = !opts.videoOn ? 'idle' : m.freeze.frozenNow ? 'bad' : highBad(m.freeze.seconds, t.freezeSeconds) === 'ok' && m.freeze.count > 0 ? 'warn' : highBad(m.freeze.seconds, t.freezeSeconds);
  return {
    videoBitrate: opts.videoOn ? lowBad(m.videoKbps, t.videoKbps) : 'idle',
    blur: opts.videoOn ? lowBad(m.blur.score, t.blurScore) : 'idle',
    freeze,
    stutter: opts.audible ? highBad(m.stutter.pct, t.stutterPct) : 'idle',
    audioBitrate: opts.audible ? lowBad(m.audioKbps, t.audioKbps) : 'idle',
  };
}
