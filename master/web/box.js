// One box in detail for hall staff and installers: identity and link, system resources, plugins, the
// outbox per class, recent trends, latest events, and every raw telemetry value, refreshed every 2 s; and a panel
// to send the box commands (cmd-panel.js).
import { initI18n, t, onLangChange, currentLang } from '/_common/i18n.js';
import { zh, en, ago, api, el, eventName, pluginName, token } from '/common.js';
import { boxZh, boxEn } from '/box-i18n.js';
import { sizeMb, sizeBytes, duration, plain, label } from '/box-format.js';
import { createTrends, TREND_NAMES } from '/box-trends.js';
import { cmdZh, cmdEn } from '/cmd-i18n.js';
import { createCommandPanel } from '/cmd-panel.js';

initI18n({ zh: { ...zh, ...boxZh, ...cmdZh }, en: { ...en, ...boxEn, ...cmdEn } });
const $ = (sel) => document.querySelector(sel);
const id = new URLSearchParams(location.search).get('id') ?? '';
$('#box-id').textContent = id;
const trends = createTrends($('#trends'));
let last = null;
let histories = {};
const commands = createCommandPanel($('#commands'), id);

const time = (ts) => (ts ? new Date(ts).toLocaleString(currentLang() === 'zh' ? 'zh-CN' : 'en-GB', { hour12: false }) : '–');
const CLASSES = ['critical', 'event', 'telemetry', 'bulk'];
/** telemetry with a section of its own; the rest shows as plugin figures */
const OWN_SECTION = new Set(['system', 'outbox', 'signal']);
/** figures only there to compute another one (the average rating): the raw table still has them */
const NOT_FOR_PEOPLE = new Set(['chat.ratingSum']);

function facts(rows) {
  return rows.filter(([, v]) => v !== undefined && v !== null && v !== '' && v !== '–')
    .flatMap(([k, v]) => [el('dt', {}, t(k)), el('dd', {}, v)]);
}

function meter(labelKey, pct, right) {
  const p = pct === null ? 0 : Math.max(0, Math.min(100, pct));
  return el('div', { class: 'meter' },
    el('div', { class: 'top' }, el('span', {}, t(labelKey), pct === null ? '' : el('strong', {}, ` ${Math.round(p)}%`)), el('span', {}, right)),
    el('div', { class: `bar ${p >= 90 ? 'high' : p >= 70 ? 'mid' : ''}` }, el('i', { style: `width:${p}%` })));
}

function renderIdentity(box, tel) {
  const sys = tel.system?.data ?? {};
  const sig = tel.signal?.data;
  const tr = box.online ? box.transport : null;
  // the link id only adds something when it is not just the kind again ("5g" next to "5G")
  const link = tr ? [t(tr.kind), tr.id.toLowerCase() === t(tr.kind).toLowerCase() ? null : tr.id, tr.quality === null ? null : `${Math.round(tr.quality * 100)}%`].filter(Boolean).join(' · ')
    : box.lastTransport ? t('lastLink', { kind: t(box.lastTransport.kind) }) : t('noLink');
  const signal = sig ? [sig.rat, sig.band, sig.rsrp_dbm != null ? `RSRP ${sig.rsrp_dbm} dBm` : null, sig.sinr_db != null ? `SINR ${sig.sinr_db} dB` : null].filter((x) => x != null).join(' · ') : undefined;
  $('#identity').replaceChildren(...facts([
    ['colId', box.id], ['colRegion', box.region], ['hostname', sys.hostname], ['platform', sys.platform], ['node', sys.node],
    ['colVersion', box.version ?? sys.version], ['uptime', sys.uptime_s != null ? duration(sys.uptime_s) : undefined],
    ['daemonUptime', sys.daemon_uptime_s != null ? duration(sys.daemon_uptime_s) : undefined],
    ['connectedSince', time(box.connectedSince)], ['cfgVersion', box.cfgReported ? `${box.cfgReported.version}${box.cfgReported.applied ? '' : ' ✗'}` : undefined],
    ['linkId', link], ['signal', signal],
  ]));
}

function renderSystem(tel) {
  const s = tel.system?.data;
  if (!s) { $('#system').replaceChildren(el('p', { class: 'muted' }, t('noData'))); return; }
  const load = Array.isArray(s.load) ? s.load[0] : null;
  const used = (total, free) => (typeof total === 'number' && typeof free === 'number' ? total - free : null);
  const memUsed = used(s.mem_total_mb, s.mem_free_mb);
  const diskUsed = used(s.disk_total_mb, s.disk_free_mb);
  $('#system').replaceChildren(
    meter('cpuLoad', load !== null && s.cpus ? (load / s.cpus) * 100 : null, `${plain(load)} · ${t('cpus', { n: s.cpus ?? '?' })}`),
    meter('memory', memUsed !== null ? (memUsed / s.mem_total_mb) * 100 : null, t('usedOf', { used: sizeMb(memUsed), total: sizeMb(s.mem_total_mb) })),
    meter('disk', diskUsed !== null ? (diskUsed / s.disk_total_mb) * 100 : null, t('usedOf', { used: sizeMb(diskUsed), total: sizeMb(s.disk_total_mb) })),
    meter('rss', typeof s.rss_mb === 'number' && s.mem_total_mb ? (s.rss_mb / s.mem_total_mb) * 100 : null, sizeMb(s.rss_mb)),
  );
}

function renderOutbox(tel) {
  const o = tel.outbox?.data;
  if (!o) { $('#outbox').replaceChildren(el('p', { class: 'muted' }, t('noData'))); return; }
  const pending = o.pending ?? {}, losses = o.losses ?? {};
  const classes = [...CLASSES, ...Object.keys({ ...pending, ...losses }).filter((c) => !CLASSES.includes(c))];
  const max = Math.max(1, ...classes.map((c) => pending[c] ?? 0));
  const rows = classes.map((c) => el('tr', { 'data-class': c },
    el('td', {}, label(`class.${c}`)),
    el('td', { class: 'num' }, plain(pending[c] ?? 0), ' ', el('span', { class: 'pbar', style: `width:${Math.round(((pending[c] ?? 0) / max) * 80)}px` })),
    el('td', { class: `num ${(losses[c] ?? 0) > 0 ? 'bad' : ''}` }, plain(losses[c] ?? 0))));
  const lost = classes.some((c) => (losses[c] ?? 0) > 0);
  $('#outbox').replaceChildren(
    el('table', { class: 'small', id: 'outbox-table' }, el('thead', {}, el('tr', {}, el('th', {}, t('cls')), el('th', { class: 'num' }, t('pending')), el('th', { class: 'num' }, t('losses')))), el('tbody', {}, ...rows)),
    el('p', {}, el('span', { class: `badge ${lost ? 'bad' : 'ok'}` }, t(lost ? 'hasLosses' : 'noLosses'))),
    el('dl', { class: 'facts' }, ...facts([
      ['outboxBytes', `${sizeBytes(o.bytes)} / ${sizeBytes(o.maxBytes)}`], ['resident', sizeBytes(o.residentBytes)],
      ['inflight', plain(o.inflight)], ['lastSeq', plain(o.lastSeq)],
    ])));
}

function renderPlugins(box, tel) {
  $('#plugins').replaceChildren(el('div', { class: 'plugin-list' }, ...Object.entries(box.plugins ?? {}).map(([name, st]) =>
    el('span', { class: `badge ${st === 'running' ? 'ok' : st === 'failed' ? 'bad' : 'warn'}`, 'data-plugin': name }, `${pluginName(name)} · ${t(st)}`))));
  // a plugin's own figures: flat numbers and words only (lists and objects stay in the raw table)
  const blocks = Object.entries(tel).filter(([name]) => !OWN_SECTION.has(name)).map(([name, sample]) => {
    const rows = Object.entries(sample.data ?? {}).filter(([k, v]) => (v === null || typeof v !== 'object') && !NOT_FOR_PEOPLE.has(`${name}.${k}`));
    if (!rows.length) return null;
    return el('div', { class: 'plugin-stats' }, el('h3', {}, pluginName(name)),
      el('dl', { class: 'facts' }, ...rows.flatMap(([k, v]) => [el('dt', {}, label(`${name}.${k}`)), el('dd', {}, plain(v))])));
  }).filter(Boolean);
  $('#plugin-stats').replaceChildren(...blocks);
}

function render() {
  if (!last) return;
  const { box, events } = last;
  const tel = box.telemetry ?? {};
  $('#f-status').replaceChildren(el('span', { class: `dot ${box.online ? 'ok' : 'bad'}` }), ' ', t(box.online ? 'online' : 'offlineBox'));
  $('#f-link').textContent = box.online && box.transport ? `${t(box.transport.kind)}${box.transport.quality === null ? '' : ` ${Math.round(box.transport.quality * 100)}%`}`
    : box.lastTransport ? t('lastLink', { kind: t(box.lastTransport.kind) }) : t('noLink');
  $('#f-version').textContent = box.version ?? '–';
  $('#f-seen').textContent = ago(box.lastSeen);
  // an offline box alone says nothing about what to do: a first connection needs its password on the box
  const hint = box.online ? null : box.lastSeen == null ? 'hintNever' : 'hintOffline';
  $('#box-hint').hidden = !hint;
  if (hint) $('#box-hint').textContent = t(hint, { id: box.id });
  renderIdentity(box, tel);
  renderSystem(tel);
  renderOutbox(tel);
  renderPlugins(box, tel);
  $('#trends-empty').hidden = trends.update(histories) > 0;
  // installers still get every field as sent: `signal.rsrp_dbm  -95`
  const rows = Object.entries(tel).flatMap(([name, sample]) =>
    Object.entries(sample.data).map(([k, v]) => el('tr', {}, el('td', {}, `${name}.${k}`), el('td', {}, plain(v)), el('td', { class: 'muted wide' }, time(sample.ts)))));
  $('#telemetry tbody').replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { colspan: '3', class: 'muted' }, t('noData')))]));
  const evs = events.map((e) => el('tr', {}, el('td', { class: 'muted' }, time(e.ts)), el('td', {}, eventName(e.plugin, e.type)), el('td', {}, e.seq), el('td', { class: 'muted wide' }, e.id)));
  $('#events tbody').replaceChildren(...(evs.length ? evs : [el('tr', {}, el('td', { colspan: '4', class: 'muted' }, t('noData')))]));
}

const base = `/api/boxes/${encodeURIComponent(id)}`;
let tick = 0;
async function refresh() {
  try {
    // histories change once per telemetry period: every fifth refresh (10 s) is enough
    const wantHistory = tick++ % 5 === 0;
    const [box, events, hist] = await Promise.all([api(base), api(`${base}/events?limit=15`),
      wantHistory ? Promise.all(TREND_NAMES.map((n) => api(`${base}/telemetry?name=${n}`))) : null]);
    if (hist) histories = Object.fromEntries(hist.map((h) => [h.name, h.history]));
    last = { box, events };
    $('#missing').hidden = true; $('#detail').hidden = false;
    render();
    commands.update(box);
  } catch (err) {
    if (err.status === 404) { $('#missing').hidden = false; $('#detail').hidden = true; }
    if (err.status === 401) location.href = '/';
  }
}

onLangChange(() => { trends.reset(); render(); commands.relabel(); });
if (!token()) location.href = '/';
refresh();
setInterval(refresh, 2000);
