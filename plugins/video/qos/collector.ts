// Keeps each viewer's recent getStats() samples per tile, turns them into the panel figures, and adds the
// SFU's own counters. Also rolls the figures up per publisher (worst viewer) for telemetry and the bus.
import type { InboundStat } from '../signalling/messages.js';
import { computeTile, tileLevels, type Level, type Sample, type TileLevels, type TileMetrics, type Thresholds } from './metrics.js';

/** `netLossPct`: video packets the viewer NACKed per packet sent over the last interval (loss before repair) */
/** `temporal`: highest temporal layer forwarded (2 = all of L1T3); `temporalDrops`: packets left out for it */
export interface SfuTileCounters {
  pps: number; nacks: number; netLossPct: number | null; layer: string | null; target: string; switches: number; temporal: number; temporalDrops: number;
}
export interface TileReport { participant: string; metrics: TileMetrics; levels: TileLevels; sfu: SfuTileCounters | null }

const HISTORY = 12;

export function createQosCollector(opts: { thresholds?: Thresholds }) {
  // viewer → publisher → samples
  const hist = new Map<string, Map<string, Sample[]>>();
  const latest = new Map<string, Map<string, TileReport>>();
  return {
    /** `byMid` maps a transceiver mid on the viewer's subscriber peer to the publisher shown there. */
    ingest(viewer: string, ts: number, inbound: InboundStat[], byMid: Map<string, { participant: string; kind: 'audio' | 'video' }>,
      laplacian: Record<string, number> | undefined) {
      const perPub = new Map<string, Sample>();
      for (const s of inbound) {
        const slot = byMid.get(s.mid);
        if (!slot || slot.kind !== s.kind) continue;
        const sample = perPub.get(slot.participant) ?? { ts };
        if (s.kind === 'video') sample.video = s; else sample.audio = s;
        perPub.set(slot.participant, sample);
      }
      for (const [pub, lap] of Object.entries(laplacian ?? {})) {
        const sample = perPub.get(pub);
        if (sample) sample.laplacian = lap;
      }
      const vh = hist.get(viewer) ?? hist.set(viewer, new Map()).get(viewer)!;
      for (const [pub, sample] of perPub) {
        const h = vh.get(pub) ?? vh.set(pub, []).get(pub)!;
        // a restarted peer resets its counters: start the history again
        const prev = h[h.length - 1];
        if (prev?.video && sample.video && (sample.video.bytesReceived ?? 0) < (prev.video.bytesReceived ?? 0)) h.length = 0;
        h.push(sample);
        if (h.length > HISTORY) h.shift();
      }
      for (const pub of vh.keys()) if (!perPub.has(pub)) vh.delete(pub);
    },
    /** Panel rows for one viewer. */
    report(viewer: string, ctx: { audible: (pub: string) => boolean; videoOn: (pub: string) => boolean; sfu: (pub: string) => SfuTileCounters | null }): TileReport[] {
      const out: TileReport[] = [];
      for (const [pub, h] of hist.get(viewer) ?? []) {
        const audible = ctx.audible(pub);
        const metrics = computeTile(h, audible);
        out.push({ participant: pub, metrics, levels: tileLevels(metrics, { audible, videoOn: ctx.videoOn(pub), t: opts.thresholds }), sfu: ctx.sfu(pub) });
      }
      latest.set(viewer, new Map(out.map((r) => [r.participant, r])));
      return out;
    },
    /** Per publisher, as seen by its worst-off viewer: what telemetry and monitoring get. */
    rollup(): Array<{ participant: string; viewers: number; worst: TileLevels; videoKbps: number | null; audioKbps: number | null; blurScore: number | null; freezeSeconds: number; stutterPct: number | null; lossPct: number | null; netLossPct: number | null }> {
      const by = new Map<string, TileReport[]>();
      for (const rows of latest.values()) for (const r of rows.values()) (by.get(r.participant) ?? by.set(r.participant, []).get(r.participant)!).push(r);
      const rank: Record<Level, number> = { idle: 0, ok: 1, warn: 2, bad: 3 };
      const worstOf = (ls: Level[]) => ls.reduce((a, b) => (rank[b] > rank[a] ? b : a), 'idle' as Level);
      const minN = (xs: Array<number | null>) => { const v = xs.filter((x): x is number => x !== null); return v.length ? Math.min(...v) : null; };
      const maxN = (xs: Array<number | null>) => { const v = xs.filter((x): x is number => x !== null); return v.length ? Math.max(...v) : null; };
      return [...by.entries()].map(([participant, rows]) => ({
        participant, viewers: rows.length,
        worst: {
          videoBitrate: worstOf(rows.map((r) => r.levels.videoBitrate)), blur: worstOf(rows.map((r) => r.levels.blur)),
          freeze: worstOf(rows.map((r) => r.levels.freeze)), stutter: worstOf(rows.map((r) => r.levels.stutter)),
          audioBitrate: worstOf(rows.map((r) => r.levels.audioBitrate)),
        },
        videoKbps: minN(rows.map((r) => r.metrics.videoKbps)), audioKbps: minN(rows.map((r) => r.metrics.audioKbps)),
        blurScore: minN(rows.map((r) => r.metrics.blur.score)), freezeSeconds: maxN(rows.map((r) => r.metrics.freeze.seconds)) ?? 0,
        stutterPct: maxN(rows.map((r) => r.metrics.stutter.pct)), lossPct: maxN(rows.map((r) => r.metrics.lossPct)),
        netLossPct: maxN(rows.map((r) => r.sfu?.netLossPct ?? null)),
      }));
    },
    forget(viewer: string) {
      hist.delete(viewer); latest.delete(viewer);
      for (const vh of hist.values()) vh.delete(viewer);
      for (const l of latest.values()) l.delete(viewer);
    },
  };
}
export type QosCollector = ReturnType<typeof createQosCollector>;
