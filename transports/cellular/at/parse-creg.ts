// +CREG / +CGREG / +CEREG / +C5GREG (27.007 §7.2, §10.1.20/22, §10.1.x): read form (`<n>,<stat>,…`) and URC form
// (`<stat>,…`), every <n> variant. The read form is told apart by an unquoted number in the second field.
import { registrationOf, ratOfAct } from './canonical.js';
import { bodyOf, hex, hexText, int, splitFields, type Field } from './tokens.js';
import { ok, unparsed, type AtRecord, type Parser } from './types.js';

const PREFIXES = ['+C5GREG', '+CEREG', '+CGREG', '+CREG'] as const;

function isReadForm(f: Field[]): boolean {
  return f.length >= 2 && !f[1].quoted && /^\d+$/.test(f[1].value);
}

function parseOne(prefix: string, body: string): AtRecord | string {
  const f = splitFields(body);
  if (f.length === 0 || f[0].value === '') return `empty ${prefix}`;
  const read = isReadForm(f);
  const rest = read ? f.slice(2) : f.slice(1);
  const rec: AtRecord = { command: prefix.slice(1), form: read ? 'read' : 'urc' };
  if (read) {
    rec.n = int(f[0].value);
    if (rec.n === null) return `bad <n> "${f[0].value}"`;
  }
  const stat = int(read ? f[1].value : f[0].value);
  if (stat === null || stat < 0 || stat > 11) return `bad <stat> in "${body}"`;
  rec.stat = stat;
  rec.registration = registrationOf(stat);
  const isCs = prefix === '+CREG' || prefix === '+CGREG';
  const areaKey = isCs ? 'lac' : 'tac';
  if (rest.length > 0) {
    const area = rest[0]?.value;
    const ci = rest[1]?.value;
    if (area && hex(area) === null) return `bad <${areaKey}> "${area}"`;
    if (ci && hex(ci) === null) return `bad <ci> "${ci}"`;
    rec[`${areaKey}_hex`] = hexText(area);
    rec[areaKey] = hex(area);
    rec.ci_hex = hexText(ci);
    rec.ci = hex(ci);
    rec.cell_id_hex = rec.ci_hex;
    rec.cell_id = rec.ci;
    const act = int(rest[2]?.value);
    if (rest[2]?.value && act === null) return `bad <AcT> "${rest[2].value}"`;
    rec.act = act;
    rec.rat = ratOfAct(act);
    let tail = rest.slice(3);
    if (prefix === '+CGREG' && tail.length > 0) { rec.rac_hex = hexText(tail[0].value); rec.rac = hex(tail[0].value); tail = tail.slice(1); }
    if (prefix === '+C5GREG' && tail.length > 0) {
      rec.allowed_nssai_len = int(tail[0]?.value);
      rec.allowed_nssai = tail[1]?.value || null;
      tail = tail.slice(2);
    }
    if (tail.length >= 2) {
      rec.cause_type = int(tail[0].value);
      rec.reject_cause = int(tail[1].value);
      tail = tail.slice(2);
    }
    if (prefix === '+CEREG' && tail.length >= 2) {
      rec.active_time = tail[0].value || null;
      rec.periodic_tau = tail[1].value || null;
    }
  }
  return rec;
}

export const parseCreg: Parser = (lines) => {
  const recs: AtRecord[] = [];
  for (const line of lines) {
    for (const p of PREFIXES) {
      const body = bodyOf(line, p);
      if (body === null) continue;
      const r = parseOne(p, body);
      if (typeof r === 'string') return unparsed('creg', r);
      recs.push(r);
      break;
    }
  }
  if (recs.length === 0) return unparsed('creg', 'no +CREG/+CGREG/+CEREG/+C5GREG line');
  // Several lines (URCs in a row): the last one is the current state; all are kept in order.
  const last = recs[recs.length - 1];
  return ok('creg', recs.length === 1 ? last : { ...last, events: recs });
};
