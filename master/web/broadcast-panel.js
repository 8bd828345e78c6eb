// The fleet page's broadcast panel: one command (name + JSON args) to every box, or a region's, with each box's
// outcome (its answer, BOX_OFFLINE, COMMAND_TIMEOUT or its error code) and the same summary line as the CLI.
import { t } from '/_common/i18n.js';
import { el } from '/common.js';
import { parseJsonArgs } from '/cmd-form.js';
import { NAME, changes, confirmSend, post, pretty, relabelTimeouts, timeoutSelect, codeHelp } from '/cmd-common.js';

// read-only commands every box has: what an operator most often asks the whole fleet
const COMMON = ['system.info', 'daemon.status', 'transport.status', 'plugin.list', 'commands.list'];

/** `boxes()` gives the fleet page's current box records. */
export function createBroadcastPanel(host, boxes) {
  let last = null; // {name, results}
  let busy = false;
  host.replaceChildren(
    el('h2', { 'data-i18n': 'bcTitle' }, t('bcTitle')),
    el('form', { id: 'bc-form', class: 'bc-form', novalidate: '' },
      el('div', { class: 'bc-field' }, el('label', { for: 'bc-name', 'data-i18n': 'cmdCommand' }, t('cmdCommand')),
        el('input', { id: 'bc-name', list: 'bc-names', autocomplete: 'off', spellcheck: 'false', value: 'system.info' }),
        el('datalist', { id: 'bc-names' }, ...knownNames().map((n) => el('option', { value: n })))),
      el('div', { class: 'bc-field' }, el('label', { for: 'bc-region', 'data-i18n': 'bcRegion' }, t('bcRegion')), el('select', { id: 'bc-region' })),
      el('div', { class: 'bc-field' }, el('label', { for: 'bc-timeout', 'data-i18n': 'cmdTimeout' }, t('cmdTimeout')), timeoutSelect('bc-timeout', [5_000, 15_000, 30_000, 60_000], 15_000)),
      el('div', { class: 'bc-field bc-args' }, el('label', { for: 'bc-args', 'data-i18n': 'cmdArgsJson' }, t('cmdArgsJson')),
        el('textarea', { id: 'bc-args', rows: '2', spellcheck: 'false', placeholder: '{}' })),
      el('div', { class: 'bc-send' }, el('span', { class: 'muted', id: 'bc-targets' }), el('button', { type: 'submit', id: 'bc-send' }, t('bcSend')))),
    el('ul', { class: 'cmd-errors', id: 'bc-errors', role: 'alert' }),
    el('div', { id: 'bc-result', 'aria-live': 'polite' }));
  const $ = (sel) => host.querySelector(sel);

  const targets = () => { const r = $('#bc-region').value; return boxes().filter((b) => !r || b.region === r); };

  let shownRegions = null; // rebuilt only when the set changes: a feed message must not close an open list
  function renderRegions(force) {
    const keep = $('#bc-region').value;
    const regions = [...new Set(boxes().map((b) => b.region))].sort();
    if (force === true || shownRegions !== regions.join('\n')) {
      shownRegions = regions.join('\n');
      $('#bc-region').replaceChildren(el('option', { value: '' }, t('allRegions')), ...regions.map((r) => el('option', { value: r }, r)));
      $('#bc-region').value = regions.includes(keep) ? keep : '';
    }
    const list = targets();
    $('#bc-targets').textContent = list.length ? t('bcTargets', { n: list.length, online: list.filter((b) => b.online).length }) : t('bcNoTargets');
  }

  function renderResult() {
    if (!last) { $('#bc-result').replaceChildren(); return; }
    const rs = last.results;
    const count = (code) => rs.filter((r) => !r.ok && r.error?.code === code).length;
    const other = rs.filter((r) => !r.ok && r.error?.code !== 'BOX_OFFLINE' && r.error?.code !== 'COMMAND_TIMEOUT').length;
    const summary = t('bcSummary', { ok: rs.filter((r) => r.ok).length, total: rs.length, offline: count('BOX_OFFLINE'), silent: count('COMMAND_TIMEOUT') }) + (other ? t('bcErrors', { n: other }) : '');
    // problems first, then the boxes that answered; each row opens to the box's answer as JSON
    const order = (r) => (r.ok ? 2 : r.error?.code === 'BOX_OFFLINE' ? 1 : 0);
    const rows = [...rs].sort((a, b) => order(a) - order(b) || a.box.localeCompare(b.box)).map((r) => el('tr', { 'data-box': r.box },
      el('td', {}, el('a', { href: `/box.html?id=${encodeURIComponent(r.box)}` }, r.box)),
      el('td', {}, el('span', { class: `badge ${r.ok ? 'ok' : r.error?.code === 'BOX_OFFLINE' ? 'warn' : 'bad'}`, 'data-code': r.ok ? 'OK' : r.error?.code ?? '' }, r.ok ? t('cmdOk') : r.error?.code ?? '?')),
      el('td', { class: 'bc-detail' }, r.ok
        ? el('details', {}, el('summary', {}, oneLine(r.result)), el('pre', { class: 'json' }, pretty(r.result ?? null)))
        : [codeHelp(r.error?.code), r.error?.message].filter(Boolean).join(' '))));
    $('#bc-result').replaceChildren(
      el('p', { class: `bc-summary ${rs.every((r) => r.ok) ? 'ok' : 'bad'}`, id: 'bc-summary' }, el('strong', {}, last.name), ' · ', summary),
      el('div', { class: 'scroll' }, el('table', { class: 'small bc-table' },
        el('thead', {}, el('tr', {}, el('th', {}, t('bcColBox')), el('th', {}, t('bcColResult')), el('th', {}, t('bcColDetail')))),
        el('tbody', {}, ...rows))),
      el('p', { class: 'muted bc-hint' }, t('bcHint')));
  }

  $('#bc-region').addEventListener('change', () => renderRegions());
  $('#bc-form').addEventListener('input', () => $('#bc-errors').replaceChildren());
  $('#bc-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    if (busy) return;
    const name = $('#bc-name').value.trim();
    const parsed = parseJsonArgs($('#bc-args').value, null);
    const errors = !name ? [t('errNameMissing')] : !NAME.test(name) ? [t('errNameBad')] : parsed.ok ? [] : parsed.errors;
    $('#bc-errors').replaceChildren(...(errors.length ? [el('li', { class: 'lead' }, t('errNotSent')), ...errors.map((m) => el('li', {}, m))] : []));
    if (errors.length) return;
    const region = $('#bc-region').value || undefined;
    if (changes(name) && !(await confirmSend(name, parsed.args, t('cmdConfirmFleet', { n: targets().length })))) return;
    busy = true;
    $('#bc-send').disabled = true; $('#bc-send').textContent = t('cmdSending');
    const { body } = await post('/api/broadcast', { name, ...(parsed.args === undefined ? {} : { args: parsed.args }), region, timeoutMs: Number($('#bc-timeout').value) });
    busy = false;
    $('#bc-send').disabled = false; $('#bc-send').textContent = t('bcSend');
    if (body.ok === false) {
      $('#bc-errors').replaceChildren(el('li', {}, el('strong', {}, body.error?.code ?? '?'), ' ', [codeHelp(body.error?.code), body.error?.message].filter(Boolean).join(' ')));
      return;
    }
    last = { name, results: body.results ?? [] };
    renderResult();
  });

  renderRegions();
  return {
    update: () => renderRegions(),
    relabel() { renderRegions(true); renderResult(); relabelTimeouts(host); if (!busy) $('#bc-send').textContent = t('bcSend'); },
  };
}

/** The common commands, then every other name a box page of this tab has read from a box's catalogue. */
function knownNames() {
  const names = new Set(COMMON);
  for (let i = 0; i < sessionStorage.length; i++) {
    const key = sessionStorage.key(i);
    if (!key?.startsWith('kefu.master.catalogue.')) continue;
    try { for (const c of JSON.parse(sessionStorage.getItem(key)) ?? []) if (typeof c?.name === 'string') names.add(c.name); } catch { /* a damaged entry: only its names are missing */ }
  }
  return [...names];
}

/** A short line for an answer: a few of its top-level values. */
function oneLine(v) {
  if (v === null || typeof v !== 'object') return JSON.stringify(v ?? null);
  if (Array.isArray(v)) return `[${v.length}]`;
  const s = Object.entries(v).slice(0, 3).map(([k, x]) => `${k}: ${typeof x === 'object' && x !== null ? '…' : String(x)}`).join(', ');
  return s || '{}';
}
