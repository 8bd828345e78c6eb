// One box in detail: facts, plugins, latest telemetry and recent events. Read-only, refreshed every 2 s.
import { initI18n, t, onLangChange, currentLang } from '/_common/i18n.js';
import { zh, en, ago, api, el, pluginName, token } from '/common.js';

initI18n({ zh, en });
const $ = (sel) => document.querySelector(sel);
const id = new URLSearchParams(location.search).get('id') ?? '';
$('#box-id').textContent = id;
let last = null;

const time = (ts) => (ts ? new Date(ts).toLocaleString(currentLang() === 'zh' ? 'zh-CN' : 'en-GB', { hour12: false }) : '–');
const value = (v) => (v === null || v === undefined ? '–' : typeof v === 'object' ? JSON.stringify(v) : String(v));

function render() {
  if (!last) return;
  const { box, events } = last;
  $('#f-status').replaceChildren(el('span', { class: `dot ${box.online ? 'ok' : 'bad'}` }), ' ', t(box.online ? 'online' : 'offlineBox'));
  $('#f-link').textContent = box.online && box.transport ? `${t(box.transport.kind)}${box.transport.quality === null ? '' : ` ${Math.round(box.transport.quality * 100)}%`}` : t('noLink');
  $('#f-version').textContent = box.version ?? '–';
  $('#f-seen').textContent = ago(box.lastSeen);
  $('#f-region').textContent = box.region;
  $('#f-since').textContent = time(box.connectedSince);
  $('#f-cfg').textContent = box.cfgReported ? `${box.cfgReported.version}${box.cfgReported.applied ? '' : ' ✗'}` : '–';
  $('#plugins').replaceChildren(...Object.entries(box.plugins).map(([name, st]) =>
    el('span', { class: `badge ${st === 'running' ? 'ok' : st === 'failed' ? 'bad' : 'warn'}` }, `${pluginName(name)} · ${t(st)}`)));
  // one row per telemetry field: `signal.rsrp_dbm  -95`
  const rows = Object.entries(box.telemetry ?? {}).flatMap(([name, sample]) =>
    Object.entries(sample.data).map(([k, v]) => el('tr', {}, el('td', {}, `${name}.${k}`), el('td', {}, value(v)), el('td', { class: 'muted' }, time(sample.ts)))));
  $('#telemetry tbody').replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { colspan: '3', class: 'muted' }, t('noData')))]));
  const evs = events.map((e) => el('tr', {}, el('td', { class: 'muted' }, time(e.ts)), el('td', {}, `${e.plugin} / ${e.type}`), el('td', {}, e.seq), el('td', { class: 'muted' }, e.id)));
  $('#events tbody').replaceChildren(...(evs.length ? evs : [el('tr', {}, el('td', { colspan: '4', class: 'muted' }, t('noData')))]));
}

async function refresh() {
  try {
    const [box, events] = await Promise.all([api(`/api/boxes/${encodeURIComponent(id)}`), api(`/api/boxes/${encodeURIComponent(id)}/events?limit=15`)]);
    last = { box, events };
    $('#missing').hidden = true;
    render();
  } catch (err) {
    if (err.status === 404) { $('#missing').hidden = false; $('#facts').hidden = true; }
    if (err.status === 401) location.href = '/';
  }
}

onLangChange(render);
if (!token()) location.href = '/';
refresh();
setInterval(refresh, 2000);
