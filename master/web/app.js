// Master dashboard: the fleet table and the events/s chart, live over /api/feed; a broadcast panel (broadcast-panel.js).
import { initI18n, t, onLangChange, currentLang } from '/_common/i18n.js';
import { zh, en, ago, eventName, pluginName, token, el } from '/common.js';
import { timeAxis } from '/time-axis.js';
import { cmdZh, cmdEn } from '/cmd-i18n.js';
import { createBroadcastPanel } from '/broadcast-panel.js';

initI18n({ zh: { ...zh, ...cmdZh }, en: { ...en, ...cmdEn } });

const $ = (sel) => document.querySelector(sel);
const boxes = new Map();
const events = [];
let stats = null;
let chart = null;
let region = new URLSearchParams(location.search).get('region');

// counts show only once the master has sent its snapshot: zeros before that would be made up
let loaded = false;
const broadcast = createBroadcastPanel(document.querySelector('#broadcast'), () => [...boxes.values()]);

function linkCell(b) {
  // an offline box has no live link: the one it last used, without its (stale) quality
  if (!b.online && b.lastTransport) return el('td', { class: 'muted' }, t('lastLink', { kind: t(b.lastTransport.kind) }));
  if (!b.online || !b.transport) return el('td', {}, t('noLink'));
  const q = b.transport.quality;
  const bar = el('span', { class: `quality ${q === null ? '' : q < 0.34 ? 'low' : q < 0.67 ? 'mid' : ''}`, title: q === null ? '' : `${Math.round(q * 100)}%` }, el('i', { style: `width:${q === null ? 0 : Math.round(q * 100)}%` }));
  const kind = t(b.transport.kind);
  // the link id only adds something when it is not just the kind again ("5g" next to "5G")
  const label = b.transport.id.toLowerCase() === kind.toLowerCase() ? kind : `${kind} · ${b.transport.id}`;
  return el('td', {}, label, bar, el('span', { class: 'muted pct' }, q === null ? '' : ` ${Math.round(q * 100)}%`));
}

// what needs a person first: offline boxes, then boxes with a failed plugin, then the rest
const trouble = (b) => (!b.online ? 2 : Object.values(b.plugins ?? {}).includes('failed') ? 1 : 0);

function renderRegions(all) {
  const regions = new Map();
  for (const b of all) {
    const r = regions.get(b.region) ?? { online: 0, total: 0 };
    r.total++; if (b.online) r.online++;
    regions.set(b.region, r);
  }
  if (region && !regions.has(region)) region = null;
  const chip = (key, label, r) => el('button', { class: `chip ${region === key ? 'on' : ''} ${r && r.online < r.total ? 'warn' : ''}`, 'data-region': key ?? '' }, label, r ? el('small', {}, ` ${r.online}/${r.total}`) : '');
  $('#regions').replaceChildren(chip(null, t('allRegions')), ...[...regions.keys()].sort().map((k) => chip(k, k, regions.get(k))));
}

function renderBoxes() {
  if (!loaded) return;
  const tbody = $('#boxes tbody');
  const all = [...boxes.values()];
  renderRegions(all);
  const list = all.filter((b) => !region || b.region === region)
    .sort((a, b) => trouble(b) - trouble(a) || a.region.localeCompare(b.region) || a.id.localeCompare(b.id));
  tbody.replaceChildren(...list.map((b) => el('tr', { class: b.online ? 'online' : 'offline', 'data-box': b.id },
    el('td', {}, el('span', { class: `dot ${b.online ? (trouble(b) ? 'warn' : 'ok') : 'bad'}`, title: b.online ? t('online') : t('offlineBox') })),
    el('td', {}, el('a', { href: `/box.html?id=${encodeURIComponent(b.id)}` }, el('strong', {}, b.id))),
    el('td', {}, b.region),
    el('td', { class: 'wide' }, b.version ?? '–'),
    linkCell(b),
    el('td', { class: 'plugins wide' }, ...Object.entries(b.plugins ?? {}).map(([name, st]) => el('span', { class: `badge ${st === 'running' ? 'ok' : st === 'failed' ? 'bad' : 'warn'}`, title: `${name}: ${t(st)}` }, pluginName(name)))),
    el('td', { class: 'seen', 'data-ts': b.lastSeen ?? '' }, ago(b.lastSeen)),
  )));
  $('#empty').hidden = all.length > 0;
  $('#k-online').textContent = all.filter((b) => b.online).length;
  $('#k-total').textContent = all.length;
  broadcast.update();
}

function renderStats() {
  if (!stats) return;
  const s = stats.ingest;
  $('#k-events').textContent = s.events.toLocaleString();
  $('#k-rejected').textContent = s.rejectedTotal.toLocaleString();
  $('#k-dup').textContent = s.duplicates.toLocaleString();
  const counts = s.eventsPerSecond.counts;
  // the current second is still filling: average the 10 complete ones before it
  const recent = counts.slice(-11, -1);
  $('#k-rate').textContent = (recent.reduce((a, b) => a + b, 0) / Math.max(recent.length, 1)).toFixed(1);
  const xs = counts.map((_, i) => s.eventsPerSecond.from + i);
  if (!chart) makeChart([xs, counts]); else chart.setData([xs, counts]);
}

function makeChart(data) {
  const host = $('#chart');
  chart = new uPlot({
    width: host.clientWidth || 600, height: 220,
    series: [{}, { label: t('eventsPerSecond'), stroke: '#1565c0', fill: 'rgba(21,101,192,.12)', width: 2, points: { show: false } }],
    axes: [timeAxis(), { stroke: '#66717f', grid: { stroke: '#eef1f5' }, size: 50 }],
    scales: { y: { range: (u, min, max) => [0, Math.max(5, Math.ceil(max * 1.2))] } },
    legend: { show: false },
  }, data, host);
  new ResizeObserver(() => chart.setSize({ width: host.clientWidth, height: 220 })).observe(host);
}

function renderEvents() {
  if (!events.length) { $('#events').replaceChildren(el('li', { class: 'muted' }, t(loaded ? 'noEventsYet' : 'connecting'))); return; }
  $('#events').replaceChildren(...events.map((e) => el('li', {}, el('time', {}, new Date(e.ts).toLocaleTimeString(currentLang() === 'zh' ? 'zh-CN' : 'en-GB')), el('strong', {}, e.box), eventName(e.plugin, e.type))));
}

function setConn(ok) {
  const c = $('#conn');
  c.className = `badge ${ok ? 'ok' : 'bad'}`;
  c.dataset.i18n = ok ? 'live' : 'offline';
  c.textContent = t(c.dataset.i18n);
}

function connect(tok, delay = 500) {
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/feed?token=${encodeURIComponent(tok)}`);
  ws.onopen = () => { delay = 500; setConn(true); };
  ws.onmessage = (m) => {
    const msg = JSON.parse(m.data);
    if (msg.type === 'hello') { loaded = true; boxes.clear(); for (const b of msg.boxes) boxes.set(b.id, b); stats = msg.stats; renderBoxes(); renderStats(); renderEvents(); }
    else if (msg.type === 'box') { boxes.set(msg.box.id, msg.box); renderBoxes(); }
    else if (msg.type === 'stats') { stats = msg.stats; renderStats(); }
    else if (msg.type === 'event') {
      events.unshift(msg.event); events.length = Math.min(events.length, 30); renderEvents();
      const b = boxes.get(msg.event.box);
      if (b) { b.lastSeen = Date.now(); const td = document.querySelector(`tr[data-box="${CSS.escape(b.id)}"] td.seen`); if (td) td.dataset.ts = b.lastSeen; }
    }
  };
  ws.onclose = (e) => {
    setConn(false);
    setTimeout(() => connect(tok, Math.min(delay * 2, 10_000)), delay);
  };
}

function showLogin(wrong = false) {
  const form = $('#login');
  // nothing below the form can be known without the token: hide it instead of showing dashes or zeros
  document.body.classList.add('no-token');
  form.hidden = false;
  $('#token-wrong').hidden = !wrong;
  const c = $('#conn');
  c.className = 'badge warn'; c.dataset.i18n = 'tokenNeeded'; c.textContent = t('tokenNeeded');
  form.onsubmit = (e) => { e.preventDefault(); sessionStorage.setItem('kefu.master.token', $('#token').value.trim()); location.reload(); };
}

// "3 s ago" keeps counting between messages
setInterval(() => { for (const td of document.querySelectorAll('td.seen')) td.textContent = ago(td.dataset.ts ? Number(td.dataset.ts) : null); }, 1000);
onLangChange(() => { renderBoxes(); renderEvents(); broadcast.relabel(); });
$('#regions').addEventListener('click', (e) => {
  const chip = e.target.closest('button.chip');
  if (!chip) return;
  region = chip.dataset.region || null;
  history.replaceState(null, '', region ? `?region=${encodeURIComponent(region)}` : location.pathname);
  renderBoxes();
});

async function main() {
  const tok = token();
  if (!tok) { showLogin(); return; }
  // a wrong token would only show as a failing WebSocket: check it once over plain HTTP
  const res = await fetch('/api/stats', { headers: { authorization: `Bearer ${tok}` } }).catch(() => null);
  if (res && res.status === 401) { sessionStorage.removeItem('kefu.master.token'); showLogin(true); return; }
  connect(tok);
}
main();
