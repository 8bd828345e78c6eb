// ATI / AT+CGMR / AT+CGMI / AT+CGMM: who the modem is. Bare revision lines and `+CGMR:`-prefixed ones both occur.
import { bodyOf } from './tokens.js';
import { ok, unparsed, type AtRecord, type Parser } from './types.js';

const KEYS: Record<string, string> = { manufacturer: 'manufacturer', model: 'model', revision: 'firmware', imei: 'imei' };

export const parseIdent: Parser = (lines) => {
  const rec: AtRecord = {};
  const bare: string[] = [];
  for (const line of lines) {
    const prefixed = bodyOf(line, '+CGMR') ?? bodyOf(line, '+GMR');
    if (prefixed !== null) { rec.firmware = prefixed; continue; }
    const kv = /^(Manufacturer|Model|Revision|IMEI)\s*:\s*(.+)$/i.exec(line);
    if (kv) { rec[KEYS[kv[1].toLowerCase()]] = kv[2].trim(); continue; }
    if (/^\+GCAP:/i.test(line) || /^(\+CME|\+CMS|ERROR)/.test(line)) continue;
    if (/^[\x20-\x7e]{1,80}$/.test(line) && !line.startsWith('+') && !line.startsWith('^')) bare.push(line);
  }
  // Quectel's ATI prints manufacturer, model and revision as bare lines; a lone bare line is a revision.
  if (bare.length === 1 && rec.firmware === undefined) rec.firmware = bare[0];
  else if (bare.length >= 2) {
    rec.manufacturer ??= bare[0];
    rec.model ??= bare[1];
    if (bare[2] !== undefined) rec.firmware ??= bare[2];
  }
  if (Object.keys(rec).length === 0) return unparsed('ident', 'no identification lines');
  return ok('ident', rec);
};
