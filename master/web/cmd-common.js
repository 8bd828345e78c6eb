// Shared by the command panels: POSTs to the master's API with the tab's token (in a header, never in a URL),
// the "does this change something?" test and its confirm dialog, and how a command's outcome is shown.
import { t } from '/_common/i18n.js';
import { el, token } from '/common.js';

export const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** POST JSON; always resolves to `{status, body}` (a network failure is status 0, code NETWORK). */
export async function post(path, body, signal) {
  try {
    const res = await fetch(path, { method: 'POST', signal, headers: { authorization: `Bearer ${token()}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = await res.json().catch(() => null);
    // an answer not in the API's shape (fastify's own 413 for a body over 1 MB, a proxy's page) still gets a code
    if (!res.ok && json?.ok !== false) return { status: res.status, body: { ok: false, error: { code: json?.code ?? `HTTP_${res.status}`, message: json?.message ?? res.statusText } } };
    return { status: res.status, body: json ?? { ok: false, error: { code: 'RESPONSE_INVALID', message: `HTTP ${res.status} without a JSON body` } } };
  } catch (err) {
    return { status: 0, body: { ok: false, error: { code: 'NETWORK', message: String(err?.message ?? err) } } };
  }
}

// a word of the name (split at . _ -) that says the command changes the box, not just reads it
const CHANGING = /^(restart|reboot|reset|shutdown|stop|kill|config|cfg|set|delete|remove|rm|drop|rotate|reload|switch|auto|export|wipe|clear|upgrade|update|install|broadcast|hangup|call)$/i;
export const changes = (name) => String(name).split(/[._-]/).some((w) => CHANGING.test(w));

/** A modal "send it?" dialog; resolves true only on the confirm button. */
export function confirmSend(name, args, target) {
  const dialog = el('dialog', { class: 'cmd-confirm', 'aria-labelledby': 'cmd-confirm-title' },
    el('h2', { id: 'cmd-confirm-title' }, t('cmdConfirmTitle')),
    el('p', {}, t('cmdConfirmText', { name, target })),
    el('pre', { class: 'json' }, JSON.stringify(args ?? {}, null, 2)),
    el('div', { class: 'cmd-actions' },
      el('button', { type: 'button', class: 'secondary', value: 'cancel' }, t('cmdCancel')),
      el('button', { type: 'button', class: 'danger', value: 'ok' }, t('cmdConfirm'))));
  document.body.append(dialog);
  return new Promise((resolve) => {
    const done = (ok) => { dialog.close(); dialog.remove(); resolve(ok); };
    dialog.addEventListener('click', (e) => { const b = e.target.closest('button'); if (b) done(b.value === 'ok'); });
    dialog.addEventListener('cancel', (e) => { e.preventDefault(); done(false); });
    dialog.showModal();
    dialog.querySelector('button.secondary').focus();
  });
}

/** "BOX_OFFLINE" plus what it means, when we know the code. */
export function codeHelp(code) {
  const s = t(`code.${code}`);
  return s === `code.${code}` ? '' : s;
}

/** sessionStorage.setItem that never throws: a full store (a history holding a large answer) costs only memory. */
export function keep(key, value) {
  try { sessionStorage.setItem(key, JSON.stringify(value)); return true; } catch { return false; }
}

export const pretty = (v) => (v === undefined ? '' : JSON.stringify(v, null, 2));

/** One command's outcome: badge (OK / code), the box's message as sent, our word on the code, pretty JSON. */
export function outcomeView(entry) {
  const head = el('div', { class: 'cmd-head' },
    el('span', { class: `badge ${entry.ok ? 'ok' : entry.error?.code === 'BOX_OFFLINE' ? 'warn' : 'bad'}`, 'data-code': entry.ok ? 'OK' : entry.error?.code ?? '' }, entry.ok ? t('cmdOk') : entry.error?.code ?? '?'),
    el('strong', { class: 'cmd-name' }, entry.name),
    entry.box ? el('span', { class: 'muted' }, `→ ${entry.box}`) : '',
    entry.ms != null ? el('span', { class: 'muted' }, t('cmdTook', { ms: entry.ms })) : '');
  const parts = [head];
  if (!entry.ok) {
    const help = codeHelp(entry.error?.code);
    if (help) parts.push(el('p', { class: 'cmd-help' }, help));
    if (entry.error?.message) parts.push(el('p', { class: 'cmd-message' }, entry.error.message));
  } else {
    parts.push(el('pre', { class: 'json' }, pretty(entry.result ?? null)));
  }
  return el('div', { class: `cmd-outcome ${entry.ok ? 'ok' : 'bad'}` }, ...parts);
}

const durationLabel = (ms) => (ms >= 60_000 ? t('min', { n: ms / 60_000 }) : t('sec', { n: ms / 1000 }));

/** A <select> of timeouts; relabelTimeouts() puts its words in the current language. */
export function timeoutSelect(id, choicesMs, selectedMs) {
  return el('select', { id, class: 'timeouts' }, ...choicesMs.map((ms) => {
    const o = el('option', { value: String(ms) }, durationLabel(ms));
    if (ms === selectedMs) o.selected = true;
    return o;
  }));
}

export function relabelTimeouts(root) {
  for (const o of root.querySelectorAll('select.timeouts option')) o.textContent = durationLabel(Number(o.value));
}
