// The QoS panel: one row per participant with the five figures coloured by level, and two small uPlot
// charts (bitrates; sharpness and audio stutter) of the selected participant over the last minute.
import { t, onLangChange } from '/_common/i18n.js';
import { METRICS } from './grid.js';

const KEEP = 60;
/** seconds → 13:07:55, not uPlot's US "11/26/26 1:07pm" */
const clock = (sec) => new Date(sec * 1000).toLocaleTimeString('zh-CN', { hour12: false });

/** Packet loss: on the link (before NACK/RTX repair, from the SFU) → left after repair (from the browser). */
function lossCell(row) {
  const net = row.sfu?.netLossPct ?? null; const left = row.metrics.lossPct;
  const level = net === null && left === null ? 'idle' : (left ?? 0) >= 2 || (net ?? 0) >= 10 ? 'bad' : (left ?? 0) >= 0.5 || (net ?? 0) >= 3 ? 'warn' : 'ok';
  const pct = (x) => (x === null ? '–' : `${x.toFixed(1)}%`);
  return `<td data-metric="loss" data-level="${level}"><span class="dot ${level}"></span> ${pct(net)} → ${pct(left)}</td>`;
}

function fmt(row, m) {
  const x = row.metrics;
  switch (m) {
    case 'videoBitrate': return x.videoKbps === null ? '–' : `${Math.round(x.videoKbps)} kbps`;
    case 'blur': return x.blur.score === null ? '–' : `${x.blur.score}${x.blur.qp !== null ? ` (QP ${x.blur.qp.toFixed(0)})` : ''}`;
    case 'freeze': return `${x.freeze.count}× ${x.freeze.seconds.toFixed(1)}s${x.freeze.frozenNow ? ' ❄' : ''}`;
    case 'stutter': return x.stutter.pct === null ? '–' : `${x.stutter.pct.toFixed(1)}% / ${x.stutter.events}`;
    case 'audioBitrate': return x.audioKbps === null ? '–' : `${Math.round(x.audioKbps)} kbps`;
    default: return '';
  }
}

export function createQosPanel(el, names) {
  const hist = new Map();
  let selected = null; let charts = null; let lastRows = [];

  function chartOpts(title, series, width) {
    return { title, width, height: 130, legend: { show: true }, scales: { x: { time: true } }, axes: [{ stroke: '#66717f', values: (u, splits) => splits.map(clock) }, { stroke: '#66717f' }],
      // the legend's time as the page writes times (uPlot's default is a US date)
      series: [{ label: t('time'), value: (u, v) => (v == null ? '–' : clock(v)) },
        ...series.map(([label, stroke]) => ({ label, stroke, width: 1.5 }))] };
  }

  function render() {
    const rows = lastRows;
    // alone in the call an empty table explains nothing: say what will appear
    if (!rows.length) { el.innerHTML = `<h2>${t('qos.title')}</h2><p class="muted qos-empty">${t('qos.empty')}</p>`; charts = null; return; }
    el.innerHTML = `<h2>${t('qos.title')}</h2><p class="muted">${t('pick')}</p>
      <table><thead><tr><th>${t('participant')}</th>${METRICS.map((m) => `<th>${t(`m.${m}`)}</th>`).join('')}<th title="${t('m.lossHint')}">${t('m.loss')}</th><th>${t('layer')}</th></tr></thead>
      <tbody>${rows.map((r) => `<tr data-p="${r.participant}" class="${r.participant === selected ? 'sel' : ''}"><td>${names(r.participant)}</td>${METRICS.map((m) =>
        `<td data-metric="${m}"><span class="dot ${r.levels[m]}"></span> ${fmt(r, m)}</td>`).join('')}${lossCell(r)}<td>${r.sfu?.layer ?? '–'}</td></tr>`).join('')}</tbody></table>
      <div class="chart" id="c1"></div><div class="chart" id="c2"></div>`;
    el.querySelectorAll('tr[data-p]').forEach((tr) => tr.addEventListener('click', () => { selected = tr.dataset.p; charts = null; render(); }));
    drawCharts();
  }

  function drawCharts() {
    const h = selected && hist.get(selected);
    if (!h || typeof uPlot === 'undefined' || el.hidden) return;
    const w = Math.max(240, el.clientWidth - 24);
    const data1 = [h.ts, h.v, h.a]; const data2 = [h.ts, h.blur, h.stutter];
    charts = [
      new uPlot(chartOpts(`${names(selected)} · ${t('chart.rate')}`, [[t('m.videoBitrate'), '#1565c0'], [t('m.audioBitrate'), '#2e7d32']], w), data1, el.querySelector('#c1')),
      new uPlot(chartOpts(t('chart.q'), [[t('m.blur'), '#6a1b9a'], [t('m.stutter'), '#c62828']], w), data2, el.querySelector('#c2')),
    ];
  }

  onLangChange(() => render());
  return {
    update(rows) {
      const now = Date.now() / 1000;
      for (const r of rows) {
        const h = hist.get(r.participant) ?? { ts: [], v: [], a: [], blur: [], stutter: [] };
        h.ts.push(now); h.v.push(r.metrics.videoKbps); h.a.push(r.metrics.audioKbps); h.blur.push(r.metrics.blur.score); h.stutter.push(r.metrics.stutter.pct);
        for (const k of Object.keys(h)) if (h[k].length > KEEP) h[k].shift();
        hist.set(r.participant, h);
      }
      lastRows = rows;
      if (!selected && rows.length) selected = rows[0].participant;
      if (!el.hidden) render();
    },
    toggle() { el.hidden = !el.hidden; if (!el.hidden) render(); },
  };
}
