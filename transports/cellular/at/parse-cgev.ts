// +CGEV unsolicited packet-domain events (27.007 §10.1.19). `link_lost` tells the driver the data path is gone.
import { bodyOf, int, splitFields } from './tokens.js';
import { ok, unparsed, type AtRecord, type Parser } from './types.js';

const PDP_TYPES = /^(IP|IPV6|IPV4V6|PPP|X\.25|OSPIH|NON-IP|ETHERNET|UNSTRUCTURED)$/i;

function parseOne(body: string): AtRecord | string {
  const m = /^(NW|ME)\s+(PDN\s+ACT|PDN\s+DEACT|ACT|DEACT|MODIFY|REACT|DETACH|CLASS)\b\s*(.*)$/i.exec(body) ?? /^(REJECT)\b\s*(.*)$/i.exec(body);
  if (!m) return `unknown +CGEV event "${body}"`;
  if (m[1].toUpperCase() === 'REJECT') {
    const f = splitFields(m[2]).map((x) => x.value);
    return { event: 'REJECT', pdp_type: f[0] || null, addr: f[1] || null, link_lost: false };
  }
  const who = m[1].toUpperCase();
  const what = m[2].toUpperCase().replace(/\s+/g, ' ');
  const f = m[3].trim() === '' ? [] : splitFields(m[3]).map((x) => x.value);
  switch (what) {
    case 'DETACH': return { event: `${who}_DETACH`, link_lost: true };
    case 'CLASS': return { event: `${who}_CLASS`, class: f[0] ?? null, link_lost: false };
    case 'PDN ACT': return { event: `${who}_ACT_PRIMARY`, cid: int(f[0]), link_lost: false };
    case 'PDN DEACT': return { event: `${who}_DEACT_PRIMARY`, cid: int(f[0]), link_lost: true };
    case 'MODIFY': return { event: `${who}_MODIFY`, cid: int(f[0]), change_reason: int(f[1]), event_type: int(f[2]), link_lost: false };
    case 'REACT': return { event: `${who}_REACT`, pdp_type: f[0] ?? null, addr: f[1] || null, cid: int(f[2]), link_lost: false };
    case 'ACT': case 'DEACT': {
      const deact = what === 'DEACT';
      // Old form: <PDP_type>,<PDP_addr>[,<cid>]; new form (secondary/dedicated bearers): <p_cid>,<cid>,<event_type>.
      if (f[0] !== undefined && PDP_TYPES.test(f[0])) {
        return { event: `${who}_${what}_PDP`, pdp_type: f[0].toUpperCase(), addr: f[1] || null, cid: int(f[2]), link_lost: deact };
      }
      if (f[0] !== undefined && int(f[0]) !== null) {
        return { event: `${who}_${what}_SECONDARY`, p_cid: int(f[0]), cid: int(f[1]), event_type: int(f[2]), link_lost: false };
      }
      return `unrecognised +CGEV ${who} ${what} arguments "${m[3]}"`;
    }
    default: return `unknown +CGEV event "${body}"`;
  }
}

export const parseCgev: Parser = (lines) => {
  const events: AtRecord[] = [];
  for (const line of lines) {
    const body = bodyOf(line, '+CGEV');
    if (body === null) continue;
    const r = parseOne(body);
    if (typeof r === 'string') return unparsed('cgev', r);
    events.push(r);
  }
  if (events.length === 0) return unparsed('cgev', 'no +CGEV line');
  return ok('cgev', events.length === 1 ? events[0] : { ...events[events.length - 1], events });
};
