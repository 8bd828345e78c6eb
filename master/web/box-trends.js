// Small uPlot charts of a box's recent telemetry, one per figure where a trend says more than a number.
import { t } from '/_common/i18n.js';
import { el } from '/common.js';
import { timeAxis } from '/time-axis.js';

const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const sum = (o) => (o && typeof o === 'object' ? Object.values(o).reduce((a, b) => a + (num(b) ?? 0), 0) : null);

/** Which charts exist: a telemetry name, its series (label key, colour, value of one sample). */
const SPECS = [
  { id: 'mem', name: 'system', series: [['trendMem', '#1565c0', (d) => (num(d.mem_total_mb) && num(d.mem_free_mb) !== null ? Math.round((1 - d.mem_free_mb / d.mem_total_mb) * 1000) / 10 : null)]], range: [0, 100] },
  { id: 'load', name: 'system', series: [['trendLoad', '#6a1b9a', (d) => (Array.isArray(d.load) ? num(d.load[0]) : null)]] },
  { id: 'outbox', name: 'outbox', series: [['trendOutbox', '#ef8f00', (d) => sum(d.pending)]] },
  { id: 'rsrp', name: 'signal', series: [['trendRsrp', '#2e7d32', (d) => num(d.rsrp_dbm)]], free: true },
  { id: 'sinr', name: 'signal', series: [['trendSinr', '#00838f', (d) => num(d.sinr_db)]], free: true },
  { id: 'chat', name: 'chat', series: [['chat.open', '#1565c0', (d) => num(d.open)], ['chat.waiting', '#c62828', (d) => num(d.waiting)]] },
];
export const TREND_NAMES = [...new Set(SPECS.map((s) => s.name))];

export function createTrends(host) {
  const charts = new Map(); // id → { plot, observer }

  function make(spec, data) {
    const box = el('div', { class: 'plot' });
    const card = el('div', { class: 'trend', 'data-trend': spec.id }, el('h3', {}, ...spec.series.flatMap(([k, colour]) => (spec.series.length > 1 ? [el('span', { class: 'key', style: `background:${colour}` }), t(k)] : [t(k)]))), box);
    host.append(card);
    const width = () => Math.max(200, box.clientWidth || host.clientWidth || 300);
    const height = () => (innerWidth < 600 ? 130 : 160);
    const plot = new uPlot({
      width: width(), height: height(),
      series: [{}, ...spec.series.map(([k, stroke]) => ({ label: t(k), stroke, width: 2, points: { show: false }, spanGaps: true }))],
      axes: [timeAxis(), { stroke: '#66717f', grid: { stroke: '#eef1f5' }, size: 50 }],
      scales: { y: spec.range ? { range: () => spec.range } : spec.free ? {} : { range: (u, min, max) => [0, Math.max(1, Math.ceil((max ?? 0) * 1.2))] } },
      legend: { show: false },
    }, data, box);
    const observer = new ResizeObserver(() => plot.setSize({ width: width(), height: height() }));
    observer.observe(box);
    charts.set(spec.id, { plot, observer, card });
  }

  function clear() {
    for (const c of charts.values()) { c.observer.disconnect(); c.plot.destroy(); c.card.remove(); }
    charts.clear();
  }

  return {
    /** histories: telemetry name → samples ({ ts, data }), oldest first. Returns how many charts are drawn. */
    update(histories) {
      for (const spec of SPECS) {
        const samples = histories[spec.name] ?? [];
        const rows = samples.map((s) => [s.ts / 1000, ...spec.series.map(([, , pick]) => pick(s.data ?? {}))]);
        const usable = rows.filter((r) => r.slice(1).some((v) => v !== null));
        const existing = charts.get(spec.id);
        if (usable.length < 2) { if (existing) { existing.observer.disconnect(); existing.plot.destroy(); existing.card.remove(); charts.delete(spec.id); } continue; }
        const data = [usable.map((r) => r[0]), ...spec.series.map((_, i) => usable.map((r) => r[i + 1]))];
        if (existing) existing.plot.setData(data); else make(spec, data);
      }
      return charts.size;
    },
    /** labels are drawn into the charts: a language switch rebuilds them */
    reset: clear,
  };
}
