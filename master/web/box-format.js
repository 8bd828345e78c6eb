// Human units for the box page: sizes, durations, plain values.
import { t } from '/_common/i18n.js';

/** megabytes (as the system telemetry sends them) → "1.4 GB" / "512 MB" */
export function sizeMb(mb) {
  if (typeof mb !== 'number' || !Number.isFinite(mb)) return '–';
  if (mb >= 1024 * 1024) return `${(mb / 1024 / 1024).toFixed(1)} TB`;
  if (mb >= 1024) return `${(mb / 1024).toFixed(1)} GB`;
  return `${Math.round(mb)} MB`;
}

export function sizeBytes(b) {
  if (typeof b !== 'number' || !Number.isFinite(b)) return '–';
  if (b < 1024) return `${b} B`;
  if (b < 1024 * 1024) return `${(b / 1024).toFixed(1)} KB`;
  return sizeMb(b / 1024 / 1024);
}

export function duration(sec) {
  if (typeof sec !== 'number' || !Number.isFinite(sec)) return '–';
  const d = Math.floor(sec / 86400), h = Math.floor((sec % 86400) / 3600), m = Math.floor((sec % 3600) / 60), s = Math.floor(sec % 60);
  if (d) return t('dur_d', { d, h });
  if (h) return t('dur_h', { h, m });
  if (m) return t('dur_m', { m, s });
  return t('dur_s', { s });
}

export function plain(v) {
  if (v === null || v === undefined) return '–';
  if (typeof v === 'number') return Number.isInteger(v) ? v.toLocaleString() : v.toFixed(2);
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** The label of a known key, or the key itself (a new plugin's figures still show). */
export function label(key) {
  const s = t(key);
  return s === key ? key.split('.').pop() : s;
}
