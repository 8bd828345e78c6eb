// Latest telemetry per box and name, with a short history per series for charts (in memory: telemetry is
// QoS 0 and lossy by design; the boxes send it again).
export interface TelemetrySample { ts: number; data: Record<string, unknown> }

export interface TelemetryStore {
  put(box: string, name: string, sample: TelemetrySample): void;
  /** name → latest sample */
  latest(box: string): Record<string, TelemetrySample>;
  history(box: string, name: string): TelemetrySample[];
}

/** A box sends a handful of series; a cap keeps a misbehaving one from growing the master's memory. */
const MAX_SERIES_PER_BOX = 64;

export function createTelemetryStore(opts: { historyLength: number }): TelemetryStore {
  const series = new Map<string, Map<string, TelemetrySample[]>>();
  return {
    put(box, name, sample) {
      let byName = series.get(box);
      if (!byName) series.set(box, (byName = new Map()));
      let ring = byName.get(name);
      if (!ring) {
        if (byName.size >= MAX_SERIES_PER_BOX) return;
        byName.set(name, (ring = []));
      }
      ring.push(sample);
      if (ring.length > opts.historyLength) ring.splice(0, ring.length - opts.historyLength);
    },
    latest(box) {
      const out: Record<string, TelemetrySample> = {};
      for (const [name, ring] of series.get(box) ?? []) out[name] = ring[ring.length - 1];
      return out;
    },
    history(box, name) {
      return [...(series.get(box)?.get(name) ?? [])];
    },
  };
}
