// Master dashboard: the fleet table and the events/s chart, live over /api/feed. Read-only.
import { initI18n, t, onLangChange, currentLang } from '/_common/i18n.js';

const zh = {
  title: '主控中心', connecting: '连接中…', live: '实时', offline: '已断开', tokenPrompt: '请输入访问令牌（数据目录中的 http.token）', open: '打开',
  kpiOnline: '在线网点', kpiRate: '事件 / 秒（近 10 秒）', kpiEvents: '已接收事件', kpiRejected: '拒收 / 重复',
  chartTitle: '事件速率（近 2 分钟）', boxesTitle: '网点服务器', eventsTitle: '最新事件',
  colId: '编号', colRegion: '区域', colVersion: '版本', colLink: '当前链路', colPlugins: '插件', colSeen: '最后通信',
  empty: '还没有网点。用 kefu master box add 添加。', never: '从未', secondsAgo: '{n} 秒前', minutesAgo: '{n} 分钟前', hoursAgo: '{n} 小时前', daysAgo: '{n} 天前',
  online: '在线', offlineBox: '离线', noLink: '无', nr5g: '5G', lte: '4G', wired: '有线', ble: '蓝牙', eventsPerSecond: '事件/秒',
  running: '运行', failed: '故障', stopped: '停止', starting: '启动中', stopping: '停止中',
  'plugin.chat': '对话', 'plugin.video': '视频', 'plugin.faceauth': '人脸认证', 'plugin.archive': '档案', 'plugin.handling': '业务办理', 'plugin.monitoring': '监控',
};
const en = {
  title: 'Master center', connecting: 'Connecting…', live: 'Live', offline: 'Disconnected', tokenPrompt: 'Enter the access token (http.token in the data dir)', open: 'Open',
  kpiOnline: 'Boxes online', kpiRate: 'Events / s (last 10 s)', kpiEvents: 'Events received', kpiRejected: 'Rejected / duplicates',
  chartTitle: 'Event rate (last 2 min)', boxesTitle: 'Hall boxes', eventsTitle: 'Latest events',
  colId: 'ID', colRegion: 'Region', colVersion: 'Version', colLink: 'Active link', colPlugins: 'Plugins', colSeen: 'Last seen',
  empty: 'No boxes yet. Add one with kefu master box add.', never: 'never', secondsAgo: '{n} s ago', minutesAgo: '{n} min ago', hoursAgo: '{n} h ago', daysAgo: '{n} d ago',
  online: 'online', offlineBox: 'offline', noLink: 'none', nr5g: '5G', lte: '4G', wired: 'Wired', ble: 'Bluetooth', eventsPerSecond: 'events/s',
  running: 'running', failed: 'failed', stopped: 'stopped', starting: 'starting', stopping: 'stopping',
  'plugin.chat': 'Chat', 'plugin.video': 'Video', 'plugin.faceauth': 'Face auth', 'plugin.archive': 'Archive', 'plugin.handling': 'Handling', 'plugin.monitoring': 'Monitoring',
};
initI18n({ zh, en });

const $ = (sel) => document.querySelector(sel);
const boxes = new Map();
const events = [];
let stats = null;
let chart = null;

function token() {
  const m = location.hash.match(/token=([^&]+)/);
  if (m) { sessionStorage.setItem('kefu.master.token', decodeURIComponent(m[1])); history.replaceState(null, '', location.pathname + location.search); }
  return sessionStorage.getItem('kefu.master.token');
}

export function ago(ts, now = Date.now()) {
  if (ts == null) return t('never');
  const s = Math.max(0, Math.round((now - ts) / 1000));
  if (s < 90) return t('secondsAgo', { n: s });
  if (s < 5400) return t('minutesAgo', { n: Math.round(s / 60) });
  if (s < 172800) return t('hoursAgo', { n: Math.round(s / 3600) });
  return t('daysAgo', { n: Math.round(s / 86400) });
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) e.setAttribute(k, v);
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function pluginName(name) {
  const key = `plugin.${name}`;
  const s = t(key);
  return s === key ? name : s;
}

const hhmmss = (sec) => new Date(sec * 1000).toLocaleTimeString('en-GB', { hour12: false });

function linkCell(b) {
  if (!b.online || !b.transport) return el('td', {}, t('noLink'));
  const q = b.transport.quality;
  const bar = el('span', { class: `quality ${q === null ? '' : q < 0.34 ? 'low' : q < 0.67 ? 'mid' : ''}`, title: q === null ? '' : `${Math.round(q * 100)}%` }, el('i', { style: `width:${q === null ? 0 : Math.round(q * 100)}%` }));
  const kind = t(b.transport.kind);
  // the link id only adds something when it is not just the kind again ("5g" next to "5G")
  const label = b.transport.id.toLowerCase() === kind.toLowerCase() ? kind : `${kind} · ${b.transport.id}`;
  return el('td', {}, label, bar, el('span', { class: 'muted pct' }, q === null ? '' : ` ${Math.round(q * 100)}%`));
}

function renderBoxes() {
  const tbody = $('#boxes tbody');
  const list = [...boxes.values()].sort((a, b) => Number(b.online) - Number(a.online) || a.region.localeCompare(b.region) || a.id.localeCompare(b.id));
  tbody.replaceChildren(...list.map((b) => el('tr', { class: b.online ? 'online' : 'offline', 'data-box': b.id },
    el('td', {}, el('span', { class: `dot ${b.online ? 'ok' : 'bad'}`, title: b.online ? t('online') : t('offlineBox') })),
    el('td', {}, el('strong', {}, b.id)),
    el('td', {}, b.region),
    el('td', { class: 'wide' }, b.version ?? '–'),
    linkCell(b),
    el('td', { class: 'plugins wide' }, ...Object.entries(b.plugins ?? {}).map(([name, st]) => el('span', { class: `badge ${st === 'running' ? 'ok' : st === 'failed' ? 'bad' : 'warn'}`, title: `${name}: ${t(st)}` }, pluginName(name)))),
    el('td', { class: 'seen', 'data-ts': b.lastSeen ?? '' }, ago(b.lastSeen)),
  )));
  $('#empty').hidden = list.length > 0;
  $('#k-online').textContent = list.filter((b) => b.online).length;
  $('#k-total').textContent = list.length;
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
    axes: [{ stroke: '#66717f', grid: { stroke: '#eef1f5' }, values: (u, splits) => splits.map(hhmmss) }, { stroke: '#66717f', grid: { stroke: '#eef1f5' }, size: 50 }],
    scales: { y: { range: (u, min, max) => [0, Math.max(5, Math.ceil(max * 1.2))] } },
    legend: { show: false },
  }, data, host);
  new ResizeObserver(() => chart.setSize({ width: host.clientWidth, height: 220 })).observe(host);
}

function renderEvents() {
  $('#events').replaceChildren(...events.map((e) => el('li', {}, el('time', {}, new Date(e.ts).toLocaleTimeString(currentLang() === 'zh' ? 'zh-CN' : 'en-GB')), el('strong', {}, e.box), `${e.plugin} / ${e.type}`)));
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
    if (msg.type === 'hello') { boxes.clear(); for (const b of msg.boxes) boxes.set(b.id, b); stats = msg.stats; renderBoxes(); renderStats(); }
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

function showLogin() {
  const form = $('#login');
  form.hidden = false;
  form.onsubmit = (e) => { e.preventDefault(); sessionStorage.setItem('kefu.master.token', $('#token').value.trim()); location.reload(); };
}

// "3 s ago" keeps counting between messages
setInterval(() => { for (const td of document.querySelectorAll('td.seen')) td.textContent = ago(td.dataset.ts ? Number(td.dataset.ts) : null); }, 1000);
onLangChange(() => { renderBoxes(); renderEvents(); });

async function main() {
  const tok = token();
  if (!tok) { setConn(false); showLogin(); return; }
  // a wrong token would only show as a failing WebSocket: check it once over plain HTTP
  const res = await fetch('/api/stats', { headers: { authorization: `Bearer ${tok}` } }).catch(() => null);
  if (res && res.status === 401) { sessionStorage.removeItem('kefu.master.token'); setConn(false); showLogin(); return; }
  connect(tok);
}
main();
