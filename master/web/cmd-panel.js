// The box page's command panel: the box's own catalogue (commands.list) as a picker with an args form, or a free
// name + JSON when the box is offline or too old to answer it; the outcome, BOX_OFFLINE with a way to queue the
// command until the box is back, and this tab's history of commands to this box.
import { t, currentLang } from '/_common/i18n.js';
import { el } from '/common.js';
import { createArgsEditor } from '/cmd-form.js';
import { NAME, changes, confirmSend, keep, outcomeView, post, relabelTimeouts, timeoutSelect } from '/cmd-common.js';

const HISTORY_MAX = 12;
const OTHER = '';

export function createCommandPanel(host, boxId) {
  const base = `/api/boxes/${encodeURIComponent(boxId)}/commands`;
  const store = { catalogue: `kefu.master.catalogue.${boxId}`, history: `kefu.master.history.${boxId}` };
  const read = (k, d) => { try { return JSON.parse(sessionStorage.getItem(k)) ?? d; } catch { return d; } };
  let box = null;
  let catalogue = read(store.catalogue, null);
  /** where the list came from: loading | box | cached | offline | old | failed */
  let source = catalogue ? 'cached' : 'offline';
  let sourceCode = '';
  let history = read(store.history, []);
  let shown = null; // the entry in the result area
  let editor = null;
  let busy = false;
  let queued = null; // {since, timeoutMs} while a queued command waits

  host.replaceChildren(
    el('div', { class: 'cmd-title' }, el('h2', { 'data-i18n': 'cmdTitle' }, t('cmdTitle')),
      el('button', { type: 'button', class: 'link', id: 'cmd-reload', 'data-i18n': 'cmdReload' }, t('cmdReload'))),
    el('p', { class: 'muted cmd-source', id: 'cmd-source' }),
    el('div', { class: 'cmd-grid' },
      el('form', { id: 'cmd-form', novalidate: '' },
        el('label', { for: 'cmd-name', 'data-i18n': 'cmdCommand' }, t('cmdCommand')),
        el('select', { id: 'cmd-name' }),
        el('input', { id: 'cmd-free', autocomplete: 'off', spellcheck: 'false', placeholder: 'system.info', 'aria-label': t('cmdFreeName') }),
        el('p', { class: 'cmd-desc', id: 'cmd-desc' }),
        el('div', { id: 'cmd-args' }),
        el('ul', { class: 'cmd-errors', id: 'cmd-errors', role: 'alert' }),
        el('div', { class: 'cmd-actions' },
          el('label', { for: 'cmd-timeout', 'data-i18n': 'cmdTimeout' }, t('cmdTimeout')), timeoutSelect('cmd-timeout', [10_000, 30_000, 60_000, 300_000], 30_000),
          el('button', { type: 'submit', id: 'cmd-send' }, t('cmdSend')))),
      el('div', { class: 'cmd-side' },
        el('h3', { 'data-i18n': 'cmdResult' }, t('cmdResult')),
        el('div', { id: 'cmd-result', 'aria-live': 'polite' }),
        el('h3', { 'data-i18n': 'cmdHistory' }, t('cmdHistory')),
        el('ol', { id: 'cmd-history', class: 'cmd-history' }))));
  const $ = (sel) => host.querySelector(sel);

  const entryOf = (name) => catalogue?.find((c) => c.name === name);
  const chosen = () => ($('#cmd-name').value === OTHER ? $('#cmd-free').value.trim() : $('#cmd-name').value);

  function renderSource() {
    const n = catalogue?.length ?? 0;
    const text = { loading: t('cmdLoading'), box: t('cmdFromBox', { n }), cached: t('cmdCached', { n }), offline: t('cmdNoCatalogue'), old: t('cmdOldBox'), failed: t('cmdFailed', { code: sourceCode || '?' }) }[source];
    $('#cmd-source').textContent = text;
    $('#cmd-source').dataset.source = source;
  }

  function renderPicker(keep = chosen()) {
    const groups = new Map();
    for (const c of catalogue ?? []) {
      const g = c.name.split('.')[0];
      if (!groups.has(g)) groups.set(g, []);
      groups.get(g).push(c);
    }
    const opts = [...groups].map(([g, list]) => el('optgroup', { label: g }, ...list.map((c) => el('option', { value: c.name }, `${c.name}${c.allowed === false ? t('cmdNotAllowed') : ''}`))));
    $('#cmd-name').replaceChildren(...opts, el('option', { value: OTHER }, t('cmdOther')));
    const pick = keep && entryOf(keep) ? keep : entryOf('system.info') && !keep ? 'system.info' : catalogue?.length && !keep ? catalogue[0].name : OTHER;
    $('#cmd-name').value = pick;
    if (pick === OTHER && keep) $('#cmd-free').value = keep;
    renderCommand();
  }

  function renderCommand(args) {
    const entry = entryOf($('#cmd-name').value);
    $('#cmd-free').hidden = $('#cmd-name').value !== OTHER;
    $('#cmd-desc').replaceChildren(...(entry ? [entry.description || '',
      entry.aliases?.length ? el('span', { class: 'muted' }, ` (${entry.aliases.join(', ')})`) : '',
      entry.allowed === false ? el('span', { class: 'cmd-denied' }, t('cmdNotAllowedNote')) : ''] : []));
    editor = createArgsEditor($('#cmd-args'), entry ? entry.args : null);
    if (args !== undefined) editor.set(args);
    $('#cmd-errors').replaceChildren();
  }

  function renderResult() {
    const area = $('#cmd-result');
    if (queued) {
      const s = Math.round((Date.now() - queued.since) / 1000);
      area.replaceChildren(el('p', { class: 'cmd-queued' }, el('span', { class: 'spinner' }), t('cmdQueued', { t: queued.label, s })));
      return;
    }
    if (!shown) { area.replaceChildren(el('p', { class: 'muted' }, t('cmdNoResult'))); return; }
    const parts = [outcomeView(shown)];
    if (!shown.ok && shown.error?.code === 'BOX_OFFLINE' && !shown.waited) {
      parts.push(el('div', { class: 'cmd-queue' }, el('p', {}, t('cmdQueueTitle')),
        el('div', { class: 'cmd-actions' }, el('label', { for: 'cmd-queue-for' }, t('cmdQueueFor')), timeoutSelect('cmd-queue-for', [60_000, 300_000, 600_000], 300_000),
          el('button', { type: 'button', id: 'cmd-queue', class: 'secondary' }, t('cmdQueue')))));
    }
    area.replaceChildren(...parts);
  }

  function renderHistory() {
    const list = $('#cmd-history');
    if (!history.length) { list.replaceChildren(el('li', { class: 'muted' }, t('cmdNoHistory'))); return; }
    list.replaceChildren(...history.map((h, i) => el('li', {},
      el('button', { type: 'button', class: `cmd-past ${h === shown ? 'on' : ''}`, 'data-i': String(i) },
        el('time', {}, new Date(h.at).toLocaleTimeString(currentLang() === 'zh' ? 'zh-CN' : 'en-GB', { hour12: false })),
        el('code', {}, h.name),
        el('span', { class: `badge ${h.ok ? 'ok' : h.error?.code === 'BOX_OFFLINE' ? 'warn' : 'bad'}` }, h.ok ? t('cmdOk') : h.error?.code ?? '?')))));
  }

  function setBusy(on) {
    busy = on;
    $('#cmd-send').disabled = on;
    $('#cmd-send').textContent = t(on ? 'cmdSending' : 'cmdSend');
  }

  async function send(name, args, { wait = false, timeoutMs } = {}) {
    setBusy(true);
    const began = performance.now();
    const { body } = await post(base, { name, ...(args === undefined ? {} : { args }), timeoutMs, wait });
    const entry = { at: Date.now(), name, args, box: boxId, ms: Math.round(performance.now() - began), ok: body.ok === true, result: body.result, error: body.ok ? undefined : body.error, waited: wait };
    history = [entry, ...history].slice(0, HISTORY_MAX);
    // a large answer or argument (an audio clip) is kept in memory only: stored, the history loses its bulky fields
    if (!keep(store.history, history)) keep(store.history, history.map((h) => (JSON.stringify(h).length > 64_000 ? { ...h, args: undefined, result: undefined } : h)));
    shown = entry;
    setBusy(false);
    renderResult();
    renderHistory();
    return entry;
  }

  async function loadCatalogue() {
    if (source === 'loading') return;
    source = 'loading'; renderSource();
    const { body } = await post(base, { name: 'commands.list', args: {}, timeoutMs: 10_000 });
    if (body.ok && Array.isArray(body.result)) {
      catalogue = body.result; source = 'box';
      keep(store.catalogue, catalogue);
    } else {
      const code = body.error?.code;
      source = code === 'UNKNOWN_COMMAND' ? 'old' : catalogue ? 'cached' : code === 'BOX_OFFLINE' ? 'offline' : 'failed';
      sourceCode = code ?? '';
      if (source === 'old') catalogue = null;
    }
    renderSource();
    renderPicker();
  }

  $('#cmd-name').addEventListener('change', () => renderCommand());
  // a complaint about arguments goes once they are edited: it may no longer hold
  $('#cmd-form').addEventListener('input', () => $('#cmd-errors').replaceChildren());
  $('#cmd-reload').addEventListener('click', () => loadCatalogue());
  $('#cmd-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    if (busy || queued) return;
    const name = chosen();
    const read = editor.read();
    const errors = !name ? [t('errNameMissing')] : !NAME.test(name) ? [t('errNameBad')] : read.ok ? [] : read.errors;
    $('#cmd-errors').replaceChildren(...(errors.length ? [el('li', { class: 'lead' }, t('errNotSent')), ...errors.map((m) => el('li', {}, m))] : []));
    if (errors.length) return;
    if (changes(name) && !(await confirmSend(name, read.args, t('cmdConfirmBox', { box: boxId })))) return;
    await send(name, read.args, { timeoutMs: Number($('#cmd-timeout').value) });
  });
  $('#cmd-result').addEventListener('click', async (e) => {
    if (!e.target.closest('#cmd-queue') || !shown) return;
    const timeoutMs = Number($('#cmd-queue-for').value);
    const label = $('#cmd-queue-for').selectedOptions[0].textContent;
    queued = { since: Date.now(), label };
    const tick = setInterval(renderResult, 1000);
    renderResult();
    const { name, args } = shown;
    try { await send(name, args, { wait: true, timeoutMs }); } finally { clearInterval(tick); queued = null; renderResult(); }
  });
  $('#cmd-history').addEventListener('click', (e) => {
    const b = e.target.closest('button.cmd-past');
    if (!b) return;
    shown = history[Number(b.dataset.i)];
    $('#cmd-name').value = entryOf(shown.name) ? shown.name : OTHER;
    if (!entryOf(shown.name)) $('#cmd-free').value = shown.name;
    renderCommand(shown.args);
    renderResult(); renderHistory();
  });

  renderSource(); renderPicker(); renderResult(); renderHistory();
  return {
    /** the box record, refreshed by the page: the catalogue is read once the box is (or comes) online */
    update(next) {
      const was = box;
      box = next;
      if (box.online && (!was || !was.online) && source !== 'box' && source !== 'loading') loadCatalogue();
      else if (!was) renderSource();
    },
    relabel() {
      const keepArgs = editor.read();
      renderSource(); renderPicker(); if (keepArgs.ok) editor.set(keepArgs.args);
      setBusy(busy); renderResult(); renderHistory();
      relabelTimeouts(host);
      $('#cmd-free').setAttribute('aria-label', t('cmdFreeName'));
    },
  };
}
