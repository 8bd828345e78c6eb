// The arguments of one command: a form generated from its JSON Schema when the schema is a flat object of
// strings, numbers, booleans, enums and string lists; otherwise (or on request) a JSON text area. Both are
// checked here against the schema's simple rules, so a wrong value is refused before anything is sent.
import { t } from '/_common/i18n.js';
import { el } from '/common.js';

const typeOf = (s) => (Array.isArray(s.type) ? null : s.type);

/** Field descriptors for a schema a form can show, or null when it needs JSON. */
export function formFields(schema) {
  if (!schema || typeOf(schema) !== 'object' || schema.anyOf || schema.oneOf) return null;
  const required = new Set(schema.required ?? []);
  const fields = [];
  for (const [key, p] of Object.entries(schema.properties ?? {})) {
    const f = { key, required: required.has(key), description: p.description, default: p.default, min: p.minimum, max: p.maximum, exclusiveMin: p.exclusiveMinimum };
    if (Array.isArray(p.enum) && p.enum.every((v) => typeof v === 'string')) f.kind = 'enum', f.options = p.enum;
    else if (typeOf(p) === 'string') f.kind = 'string';
    else if (typeOf(p) === 'integer' || typeOf(p) === 'number') f.kind = typeOf(p);
    else if (typeOf(p) === 'boolean') f.kind = 'boolean';
    else if (typeOf(p) === 'array' && p.items && typeOf(p.items) === 'string' && !p.items.enum) f.kind = 'list';
    else return null;
    fields.push(f);
  }
  return fields;
}

const JSON_TYPE = { string: 'string', integer: 'number', number: 'number', boolean: 'boolean', list: 'array', enum: 'string' };
const kindOfValue = (v) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);

/** Checks an args object against the schema's simple rules; returns messages (empty: fine). */
export function checkArgs(schema, args) {
  if (!schema || typeOf(schema) !== 'object') return [];
  const errors = [];
  const props = schema.properties ?? {};
  for (const key of schema.required ?? []) if (!(key in args)) errors.push(t('errRequired', { field: key }));
  if (schema.additionalProperties === false) {
    const names = Object.keys(props);
    for (const key of Object.keys(args)) if (!(key in props)) errors.push(t('errUnknownField', { field: key, fields: names.length ? names.join(', ') : '–' }));
  }
  for (const f of formFields({ type: 'object', properties: props }) ?? []) {
    if (!(f.key in args)) continue;
    const v = args[f.key];
    if (kindOfValue(v) !== JSON_TYPE[f.kind] || (f.kind === 'list' && v.some((x) => typeof x !== 'string'))) { errors.push(t('errType', { field: f.key, type: f.kind === 'list' ? 'string[]' : f.kind })); continue; }
    if (f.kind === 'integer' && !Number.isInteger(v)) errors.push(t('errInteger', { field: f.key }));
    if (f.kind === 'enum' && !f.options.includes(v)) errors.push(t('errType', { field: f.key, type: f.options.join(' | ') }));
    if (typeof v === 'number' && f.min !== undefined && v < f.min) errors.push(t('errMin', { field: f.key, n: f.min }));
    if (typeof v === 'number' && f.exclusiveMin !== undefined && v <= f.exclusiveMin) errors.push(t('errMin', { field: f.key, n: f.exclusiveMin + (f.kind === 'integer' ? 1 : 0) }));
    if (typeof v === 'number' && f.max !== undefined && f.max < 2 ** 53 - 1 && v > f.max) errors.push(t('errMax', { field: f.key, n: f.max }));
  }
  return errors;
}

/** Reads a JSON text: `{ok, args}` or `{ok:false, errors}`; empty text means "no args". */
export function parseJsonArgs(text, schema) {
  if (!text.trim()) return { ok: true, args: undefined };
  let args;
  try { args = JSON.parse(text); } catch (err) { return { ok: false, errors: [t('errJson', { msg: err.message })] }; }
  if (args === null || typeof args !== 'object' || Array.isArray(args)) return { ok: false, errors: [t('errNotObject')] };
  const errors = checkArgs(schema, args);
  return errors.length ? { ok: false, errors } : { ok: true, args };
}

function fieldInput(f, id) {
  if (f.kind === 'boolean' || f.kind === 'enum') {
    // not required: "not set" leaves the box's default in force
    const options = f.kind === 'boolean' ? [['true', t('cmdYes')], ['false', t('cmdNo')]] : f.options.map((o) => [o, o]);
    const unset = f.required && f.kind === 'enum' ? [] : [['', t('cmdUnset')]];
    return el('select', { id, 'data-key': f.key }, ...[...unset, ...options].map(([v, l]) => el('option', { value: v }, l)));
  }
  const attrs = { id, 'data-key': f.key, autocomplete: 'off' };
  if (f.kind === 'integer' || f.kind === 'number') Object.assign(attrs, { type: 'text', inputmode: f.kind === 'integer' ? 'numeric' : 'decimal' });
  if (f.kind === 'list') attrs.placeholder = t('cmdListHint');
  if (f.default !== undefined) attrs.placeholder = `${f.kind === 'list' ? `${t('cmdListHint')} · ` : ''}${String(f.default)}`;
  return el('input', attrs);
}

/** Reads the form's values into args; empty optional fields are left out. */
function readForm(host, fields) {
  const args = {};
  const errors = [];
  for (const f of fields) {
    const input = host.querySelector(`[data-key="${CSS.escape(f.key)}"]`);
    const raw = input.value.trim();
    if (raw === '') { if (f.required) errors.push(t('errRequired', { field: f.key })); continue; }
    if (f.kind === 'integer' || f.kind === 'number') {
      const n = Number(raw);
      if (!Number.isFinite(n)) { errors.push(t('errNumber', { field: f.key })); continue; }
      args[f.key] = n;
    } else if (f.kind === 'boolean') args[f.key] = raw === 'true';
    else if (f.kind === 'list') args[f.key] = raw.split(/[,，\n]/).map((s) => s.trim()).filter(Boolean);
    else args[f.key] = input.value; // strings as typed: leading spaces may matter (a question, a text)
  }
  return { args, errors };
}

/**
 * Mounts the editor for `schema` (null: free JSON) into `host`. read() → `{ok, args}` or `{ok:false, errors}`;
 * set(args) fills it (a history entry sent again).
 */
export function createArgsEditor(host, schema) {
  const fields = formFields(schema);
  let mode = fields ? 'form' : 'json';
  let jsonText = '';

  function render(args) {
    const parts = [];
    if (mode === 'form' && fields.length === 0) parts.push(el('p', { class: 'muted cmd-noargs' }, t('cmdNoArgs')));
    else if (mode === 'form') {
      parts.push(el('div', { class: 'cmd-fields' }, ...fields.map((f, i) => {
        const id = `arg-${i}`;
        return el('div', { class: 'cmd-field' },
          el('label', { for: id }, el('code', {}, f.key), ' ', el('span', { class: `muted ${f.required ? 'req' : ''}` }, `${f.kind === 'list' ? 'string[]' : f.kind === 'enum' ? '' : f.kind} ${t(f.required ? 'cmdRequired' : 'cmdOptional')}`)),
          fieldInput(f, id),
          f.description ? el('small', { class: 'muted' }, f.description) : '');
      })));
    } else {
      parts.push(el('label', { for: 'cmd-json' }, t('cmdArgsJson')), el('textarea', { id: 'cmd-json', rows: '5', spellcheck: 'false', placeholder: '{}' }));
    }
    if (fields) parts.push(el('button', { type: 'button', class: 'link cmd-mode' }, t(mode === 'form' ? 'cmdAsJson' : 'cmdAsForm')));
    host.replaceChildren(...parts);
    if (args) set(args);
    else if (mode === 'json') host.querySelector('#cmd-json').value = jsonText;
  }

  function read() {
    if (mode === 'json') return parseJsonArgs(host.querySelector('#cmd-json').value, schema);
    const { args, errors } = readForm(host, fields);
    const more = errors.length ? [] : checkArgs(schema, args);
    return errors.length || more.length ? { ok: false, errors: [...errors, ...more] } : { ok: true, args };
  }

  function set(args) {
    if (mode === 'json') { host.querySelector('#cmd-json').value = args === undefined ? '' : JSON.stringify(args, null, 2); return; }
    for (const f of fields) {
      const input = host.querySelector(`[data-key="${CSS.escape(f.key)}"]`);
      const v = args?.[f.key];
      input.value = v === undefined ? '' : Array.isArray(v) ? v.join(', ') : String(v);
    }
  }

  host.onclick = (e) => {
    if (!e.target.closest('button.cmd-mode')) return;
    const now = read();
    const carry = now.ok ? now.args : undefined;
    if (mode === 'form') { mode = 'json'; render(carry ?? {}); } else {
      // JSON that the form cannot hold stays as JSON
      if (!now.ok) return;
      mode = 'form'; render(carry ?? {});
    }
  };
  render();
  return { read, set, get mode() { return mode; }, rerender() { const now = read(); render(now.ok ? now.args : undefined); } };
}
