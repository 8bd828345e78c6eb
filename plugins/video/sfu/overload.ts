// Load shedding for an SFU whose event loop cannot keep up (a big room on a shared or small box). Packets then
// wait in socket buffers: latency grows without bound, and loss follows once the buffers fill. The gauge
// watches the event loop's delay; while it is high the rooms halve the frame rate of grid thumbnails (one more
// VP8 temporal layer dropped: seamless for the receiver, no loss, ~⅓ fewer packets in a 32-tile grid) and
// give it back once the loop has been calm for a while. The speaker and pinned tiles keep every frame.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

export interface OverloadOptions {
  /** p90 event-loop delay over one evaluation that counts as overloaded, ms (p90: one stall is not overload) */
  highMs?: number;
  /** p90 below which an evaluation counts as calm, ms */
  lowMs?: number;
  /** calm evaluations in a row before one level is given back */
  calmTicks?: number;
  maxLevel?: number;
}

export interface OverloadGauge {
  /** 0 = normal; each level halves the thumbnails' frame rate */
  readonly level: number;
  /** call once per room tick (500 ms): reads and resets the delay histogram */
  evaluate(): number;
  start(): void;
  stop(): void;
}

export function createOverloadGauge(opts: OverloadOptions = {}): OverloadGauge {
  const highMs = opts.highMs ?? 100; const lowMs = opts.lowMs ?? 30;
  const calmTicks = opts.calmTicks ?? 10; const maxLevel = opts.maxLevel ?? 2;
  let hist: IntervalHistogram | null = null;
  let level = 0; let calm = 0;
  return {
    get level() { return level; },
    evaluate() {
      if (!hist) return level;
      const p90 = hist.count ? hist.percentile(90) / 1e6 : 0;
      hist.reset();
      if (p90 > highMs) { level = Math.min(maxLevel, level + 1); calm = 0; } else if (p90 < lowMs && level > 0 && ++calm >= calmTicks) { level--; calm = 0; }
      return level;
    },
    start() { if (hist) return; hist = monitorEventLoopDelay({ resolution: 10 }); hist.enable(); },
    stop() { hist?.disable(); hist = null; level = 0; calm = 0; },
  };
}

/** A thumbnail frame-rate target under overload `level` (small calls, which never thin, stay whole). */
export function shedFps(fps: number, level: number): number {
  return Number.isFinite(fps) && level > 0 ? fps / (1 << level) : fps;
}
