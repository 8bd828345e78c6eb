// Quectel settings and data-call replies: +QCFG, +QNWPREFCFG, +QNETDEVCTL, +QNETDEVSTATUS.
import { bodyOf, int, isIpv4, leHexIpv4, maskToPrefix, splitFields } from './tokens.js';
import { ok, unparsed, type AtRecord, type Parser } from './types.js';

const scalar = (s: string) => (/^-?\d+$/.test(s) ? Number(s) : s);

function settings(parser: string, prefix: string, lines: string[], value: (name: string, vals: string[]) => unknown) {
  const out: AtRecord = {};
  let first: string | null = null;
  for (const line of lines) {
    const body = bodyOf(line, prefix);
    if (body === null) continue;
    const f = splitFields(body);
    if (!f[0]?.quoted || f[0].value === '') return unparsed(parser, `${prefix} expects "<name>",<values>, got "${body}"`);
    const name = f[0].value.toLowerCase();
    out[name] = value(name, f.slice(1).map((x) => x.value));
    first ??= name;
  }
  if (first === null) return unparsed(parser, `no ${prefix} line`);
  const n = Object.keys(out).length;
  return ok(parser, n === 1 ? { name: first, value: out[first], settings: out } : { settings: out });
}

export const parseQcfg: Parser = (lines) =>
  settings('qcfg', '+QCFG', lines, (_n, v) => (v.length === 1 ? scalar(v[0]) : v.map(scalar)));

export const parseQnwprefcfg: Parser = (lines) =>
  settings('qnwprefcfg', '+QNWPREFCFG', lines, (name, v) => {
    if (/band$/.test(name) && v.length === 1) {
      const nums = v[0].split(':').map((b) => Number(b)).filter((b) => Number.isInteger(b) && b > 0);
      return /nr5g|nr_/.test(name) ? nums.map((b) => `n${b}`) : nums;
    }
    if (name === 'mode_pref' && v.length === 1) return v[0].split(':');
    return v.length === 1 ? scalar(v[0]) : v.map(scalar);
  });

export const parseQnetdevctl: Parser = (lines) => {
  const body = lines.map((l) => bodyOf(l, '+QNETDEVCTL')).find((b) => b !== null);
  if (body == null) return unparsed('qnetdevctl', 'no +QNETDEVCTL line');
  const f = splitFields(body).map((x) => int(x.value));
  // <op>,<cid>,<urc_en>,<state>
  if (f.length < 3 || f.length > 4 || f.some((x) => x === null)) return unparsed('qnetdevctl', `+QNETDEVCTL expects <op>,<cid>,<urc_en>[,<state>], got "${body}"`);
  return ok('qnetdevctl', { op: f[0], cid: f[1], urc_en: f[2], state: f[3] ?? null, connected: f[3] === undefined ? null : f[3] === 1 });
};

export const parseQnetdevstatus: Parser = (lines) => {
  const body = lines.map((l) => bodyOf(l, '+QNETDEVSTATUS')).find((b) => b !== null);
  if (body == null) return unparsed('qnetdevstatus', 'no +QNETDEVSTATUS line');
  const f = splitFields(body).map((x) => x.value);
  if (f.length === 1) {
    // URC: the data call's state changed (0 = disconnected).
    const s = int(f[0]);
    if (s === null) return unparsed('qnetdevstatus', `bad +QNETDEVSTATUS status "${f[0]}"`);
    return ok('qnetdevstatus', { status: s, connected: s !== 0, link_lost: s === 0 });
  }
  if (f.length >= 6) {
    const addr = (s: string) => (isIpv4(s) ? s : leHexIpv4(s));
    const a = f.slice(0, 6).map(addr);
    if (a.some((x) => x === null)) return unparsed('qnetdevstatus', `unrecognised addresses in "${body}"`);
    const [ipv4, netmask, gateway, dhcp, dns1, dns2] = a as string[];
    return ok('qnetdevstatus', { ipv4, netmask, prefix: maskToPrefix(netmask), gateway, dhcp_server: dhcp, dns1, dns2,
      max_rx_bps: int(f[6]), max_tx_bps: int(f[7]), connected: ipv4 !== '0.0.0.0' });
  }
  return unparsed('qnetdevstatus', `+QNETDEVSTATUS has ${f.length} fields; expected 1 or 6–8`);
};
