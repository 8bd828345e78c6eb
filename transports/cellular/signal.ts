// Turns parsed signal/cell records (any family) into the link summary, a 0–1 quality and a verdict.
import type { AtRecord } from './at/types.js';

export interface SignalSummary {
  rat: string | null;
  band: number | string | null;
  rsrp_dbm: number | null;
  rsrq_db: number | null;
  sinr_db: number | null;
  rssi_dbm: number | null;
  pci: number | null;
  cell_id: number | null;
  /** EN-DC: the NR leg's own values */
  nr?: { band: number | string | null; rsrp_dbm: number | null; rsrq_db: number | null; sinr_db: number | null };
}

const n = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function summarise(rec: AtRecord): SignalSummary {
  const lte = rec.lte as AtRecord | undefined;
  const nr = rec.nr as AtRecord | undefined;
  const base = lte ?? (rec.rat === 'NR5G-NSA' && nr ? nr : rec);
  const out: SignalSummary = {
    rat: typeof rec.rat === 'string' ? rec.rat : null,
    band: (base.band as number | string | null | undefined) ?? null,
    rsrp_dbm: n(base.rsrp_dbm), rsrq_db: n(base.rsrq_db), sinr_db: n(base.sinr_db), rssi_dbm: n(base.rssi_dbm),
    pci: n(base.pci), cell_id: n(base.cell_id),
  };
  if (nr && rec.rat === 'NR5G-NSA') out.nr = { band: (nr.band as string | null) ?? null, rsrp_dbm: n(nr.rsrp_dbm), rsrq_db: n(nr.rsrq_db), sinr_db: n(nr.sinr_db) };
  return out;
}

const clamp01 = (v: number) => Math.max(0, Math.min(1, v));

function score(rsrp: number | null, sinr: number | null): number | null {
  if (rsrp === null && sinr === null) return null;
  const r = rsrp === null ? null : clamp01((rsrp + 120) / 40);
  const s = sinr === null ? null : clamp01((sinr + 5) / 25);
  if (r === null) return s;
  if (s === null) return r;
  return Math.round((0.6 * r + 0.4 * s) * 100) / 100;
}

/** 0 (unusable) … 1 from RSRP (-120…-80 dBm) and SINR (-5…20 dB); EN-DC takes the better leg. */
export function qualityOf(s: SignalSummary): number | null {
  const a = score(s.rsrp_dbm, s.sinr_db);
  const b = s.nr ? score(s.nr.rsrp_dbm, s.nr.sinr_db) : null;
  if (a === null) return b;
  return b === null ? a : Math.max(a, b);
}

export function verdictOf(q: number | null): 'good' | 'fair' | 'poor' | 'no signal' {
  if (q === null) return 'no signal';
  return q >= 0.6 ? 'good' : q >= 0.3 ? 'fair' : 'poor';
}
