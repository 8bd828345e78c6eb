// +COPS (27.007 §7.3): the read form (current operator) and the test form (list of networks).
import { ratOfAct } from './canonical.js';
import { bodyOf, int, splitFields } from './tokens.js';
import { ok, unparsed, type AtRecord, type Parser } from './types.js';

const STAT = ['unknown', 'available', 'current', 'forbidden'];

function plmn(numeric: string): { mcc: string; mnc: string } | null {
  return /^\d{5,6}$/.test(numeric) ? { mcc: numeric.slice(0, 3), mnc: numeric.slice(3) } : null;
}

function parseList(body: string): AtRecord {
  const networks: AtRecord[] = [];
  for (const m of body.matchAll(/\((\d+),"([^"]*)","([^"]*)","([^"]*)"(?:,(\d+))?\)/g)) {
    const act = m[5] === undefined ? null : Number(m[5]);
    networks.push({ stat: Number(m[1]), status: STAT[Number(m[1])] ?? 'unknown', operator: m[2] || null, operator_short: m[3] || null,
      numeric: m[4] || null, ...(plmn(m[4]) ?? { mcc: null, mnc: null }), act, rat: ratOfAct(act) });
  }
  return { networks };
}

export const parseCops: Parser = (lines) => {
  const body = lines.map((l) => bodyOf(l, '+COPS')).find((b) => b !== null);
  if (body == null) return unparsed('cops', 'no +COPS line');
  if (body.startsWith('(')) {
    const rec = parseList(body);
    return (rec.networks as unknown[]).length > 0 || body.startsWith('(,') ? ok('cops', rec) : unparsed('cops', `unrecognised +COPS list "${body}"`);
  }
  const f = splitFields(body);
  const mode = int(f[0]?.value);
  if (mode === null || f.length > 4) return unparsed('cops', `+COPS expects <mode>[,<format>,<oper>[,<AcT>]], got "${body}"`);
  const rec: AtRecord = { mode, format: null, operator: null, act: null, rat: null };
  if (f.length >= 3) {
    const format = int(f[1].value);
    if (format === null || format > 2) return unparsed('cops', `bad <format> "${f[1].value}"`);
    rec.format = format;
    rec.operator = f[2].value || null;
    if (format === 2) {
      const p = plmn(f[2].value);
      if (!p) return unparsed('cops', `numeric operator "${f[2].value}" is not MCC+MNC`);
      Object.assign(rec, p);
    }
    if (f.length === 4) { rec.act = int(f[3].value); rec.rat = ratOfAct(rec.act as number | null); }
  }
  return ok('cops', rec);
};
