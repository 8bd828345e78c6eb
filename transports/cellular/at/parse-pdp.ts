// PDP context replies: +CGPADDR, +CGACT, +CGCONTRDP (27.007 §10.1.14, §10.1.10, §10.1.23).
import { bodyOf, classifyAddress, dottedIpv6, int, isIpv4, maskToPrefix, splitFields } from './tokens.js';
import { ok, unparsed, type AtRecord, type Parser } from './types.js';

const bodies = (lines: string[], prefix: string) => lines.map((l) => bodyOf(l, prefix)).filter((b): b is string => b !== null);

/** One context per line; a single line is also flattened so `ipv4` sits at the top. */
function collect(parser: string, list: AtRecord[]) {
  if (list.length === 1) return ok(parser, { ...list[0], contexts: list });
  return ok(parser, { contexts: list });
}

export const parseCgpaddr: Parser = (lines) => {
  const list: AtRecord[] = [];
  for (const body of bodies(lines, '+CGPADDR')) {
    const f = splitFields(body);
    const cid = int(f[0]?.value);
    if (cid === null || f.length > 3) return unparsed('cgpaddr', `+CGPADDR expects <cid>[,<addr>[,<addr>]], got "${body}"`);
    const rec: AtRecord = { cid, ipv4: null, ipv6: null };
    for (const a of f.slice(1)) {
      if (a.value === '') continue;
      const c = classifyAddress(a.value);
      if (!c.ipv4 && !c.ipv6 && !/^0[.0:]*$/.test(a.value)) return unparsed('cgpaddr', `unrecognised address "${a.value}"`);
      if (c.ipv4) rec.ipv4 = c.ipv4;
      if (c.ipv6) rec.ipv6 = c.ipv6;
    }
    list.push(rec);
  }
  if (list.length === 0) return unparsed('cgpaddr', 'no +CGPADDR line');
  return collect('cgpaddr', list);
};

export const parseCgact: Parser = (lines) => {
  const list: AtRecord[] = [];
  for (const body of bodies(lines, '+CGACT')) {
    const f = splitFields(body);
    const cid = int(f[0]?.value);
    const state = int(f[1]?.value);
    if (f.length !== 2 || cid === null || state === null || state > 1) return unparsed('cgact', `+CGACT expects <cid>,<state>, got "${body}"`);
    list.push({ cid, state, active: state === 1 });
  }
  if (list.length === 0) return unparsed('cgact', 'no +CGACT line');
  return collect('cgact', list);
};

/** "a.b.c.d.m.m.m.m" (address and mask in one field, 27.007) → [address, mask]. */
function splitAddrMask(s: string): { addr: string; mask: string | null; v6: boolean } | null {
  const p = s.split('.');
  if (p.length === 8) return { addr: p.slice(0, 4).join('.'), mask: p.slice(4).join('.'), v6: false };
  if (p.length === 32) return { addr: dottedIpv6(p.slice(0, 16).join('.')) ?? '', mask: p.slice(16).join('.'), v6: true };
  if (isIpv4(s)) return { addr: s, mask: null, v6: false };
  const c = classifyAddress(s);
  if (c.ipv6) return { addr: c.ipv6, mask: null, v6: true };
  return null;
}

export const parseCgcontrdp: Parser = (lines) => {
  const byCid = new Map<number, AtRecord>();
  for (const body of bodies(lines, '+CGCONTRDP')) {
    const f = splitFields(body).map((x) => x.value);
    const cid = int(f[0]);
    if (cid === null || f.length < 3) return unparsed('cgcontrdp', `+CGCONTRDP expects <cid>,<bearer_id>,<apn>,…, got "${body}"`);
    const rec = byCid.get(cid) ?? { cid, bearer_id: int(f[1]), apn: f[2] || null, ipv4: null, netmask: null, prefix: null, gateway: null, dns1: null, dns2: null };
    let rest = f.slice(3);
    if (rest.length === 0 || rest[0] === '') { byCid.set(cid, rec); continue; }
    const am = splitAddrMask(rest[0]);
    if (!am) return unparsed('cgcontrdp', `unrecognised <local_addr and subnet_mask> "${rest[0]}"`);
    rest = rest.slice(1);
    let mask = am.mask;
    // Some firmware prints the mask as its own field; a contiguous mask cannot be a gateway.
    if (!am.v6 && mask === null && rest[0] && maskToPrefix(rest[0]) !== null && rest[0].startsWith('255.')) { mask = rest[0]; rest = rest.slice(1); }
    const pick = (s: string | undefined) => { const c = classifyAddress(s); return (am.v6 ? c.ipv6 : c.ipv4) ?? null; };
    if (am.v6) {
      Object.assign(rec, { ipv6: am.addr, ipv6_gateway: pick(rest[0]), ipv6_dns1: pick(rest[1]), ipv6_dns2: pick(rest[2]) });
    } else {
      Object.assign(rec, { ipv4: classifyAddress(am.addr).ipv4 ?? null, netmask: mask, prefix: mask ? maskToPrefix(mask) : null,
        gateway: pick(rest[0]), dns1: pick(rest[1]), dns2: pick(rest[2]) });
    }
    byCid.set(cid, rec);
  }
  if (byCid.size === 0) return unparsed('cgcontrdp', 'no +CGCONTRDP line');
  return collect('cgcontrdp', [...byCid.values()]);
};
