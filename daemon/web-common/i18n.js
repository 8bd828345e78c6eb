// Chinese-first page text with an English switch. Elements carry data-i18n="key" (text) or
// data-i18n-placeholder="key"; pages pass their dictionaries: initI18n({ zh: {...}, en: {...} }).
const STORAGE_KEY = 'kefu.lang';
let dict = { zh: {}, en: {} };
let lang = localStorage.getItem(STORAGE_KEY) || (new URLSearchParams(location.search).get('lang') ?? 'zh');
const listeners = new Set();

export function t(key, vars = {}) {
  const s = dict[lang]?.[key] ?? dict.zh?.[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, k) => (vars[k] ?? `{${k}}`));
}
export function currentLang() { return lang; }
export function onLangChange(fn) { listeners.add(fn); return () => listeners.delete(fn); }

export function applyI18n(root = document) {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  root.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t(el.dataset.i18n); });
  root.querySelectorAll('[data-i18n-placeholder]').forEach((el) => { el.placeholder = t(el.dataset.i18nPlaceholder); });
  root.querySelectorAll('[data-i18n-title]').forEach((el) => { el.title = t(el.dataset.i18nTitle); });
}

export function setLang(next) {
  lang = next; localStorage.setItem(STORAGE_KEY, next); applyI18n();
  for (const fn of listeners) fn(lang);
}

/** Adds a module's strings to the page's (a widget loaded into another plugin's page brings its own). */
export function extendI18n(dictionaries) {
  dict = { zh: { ...dict.zh, ...dictionaries.zh }, en: { ...dict.en, ...dictionaries.en } };
  applyI18n();
}

/** Registers dictionaries, applies them, and wires every `.lang` button to toggle 中文/English. */
export function initI18n(dictionaries) {
  dict = { zh: { ...dictionaries.zh }, en: { ...dictionaries.en } };
  applyI18n();
  document.querySelectorAll('button.lang').forEach((b) => {
    const label = () => { b.textContent = lang === 'zh' ? 'English' : '中文'; };
    label(); onLangChange(label);
    b.addEventListener('click', () => setLang(lang === 'zh' ? 'en' : 'zh'));
  });
}
