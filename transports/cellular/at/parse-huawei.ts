// Huawei ^HCSQ (signal by system mode) and ^DHCP (addresses as little-endian hex u32), per ModemManager's helpers.
import { ratOfWord } from './canonical.js';
import { bodyOf, int, leHexIpv4, maskToPrefix, round1, splitFields, values } from './tokens.js';
import { ok, unparsed, type AtRecord, type Parser } from './types.js';

const v255 = (v: number | null) => (v === null || v === 255 || v < 0 ? null : v);

export const parseHcsq: Parser = (lines) => {
  const body = lines.map((l) => bodyOf(l, '^HCSQ')).find((b) => b !== null);
  if (body == null) return unparsed('hcsq', 'no ^HCSQ line');
  const f = splitFields(body).map((x) => x.value);
  const act = (f[0] ?? '').toUpperCase();
  const raw = f.slice(1).map((x) => int(x));
  if (raw.some((x) => x === null)) return unparsed('hcsq', `non-numeric ^HCSQ values "${body}"`);
  const n = raw as number[];
  const rec: AtRecord = { act, rat: ratOfWord(act), raw: n };
  switch (act) {
    case 'NOSERVICE': return ok('hcsq', { ...rec, rat: null });
    case 'GSM':
      if (n.length < 1) return unparsed('hcsq', 'GSM ^HCSQ without rssi');
      return ok('hcsq', { ...rec, rssi_dbm: v255(n[0]) === null ? null : -121 + n[0] });
    case 'WCDMA': case 'TD-SCDMA':
      if (n.length < 3) return unparsed('hcsq', 'WCDMA ^HCSQ needs rssi,rscp,ecio');
      return ok('hcsq', { ...rec, rssi_dbm: v255(n[0]) === null ? null : -121 + n[0], rscp_dbm: v255(n[1]) === null ? null : -121 + n[1],
        ecio_db: v255(n[2]) === null ? null : round1(-32.5 + n[2] / 2) });
    case 'LTE':
      if (n.length < 4) return unparsed('hcsq', 'LTE ^HCSQ needs rssi,rsrp,sinr,rsrq');
      return ok('hcsq', { ...rec, rssi_dbm: v255(n[0]) === null ? null : -121 + n[0], rsrp_dbm: v255(n[1]) === null ? null : -141 + n[1],
        sinr_db: v255(n[2]) === null ? null : round1(-20.2 + n[2] / 5), rsrq_db: v255(n[3]) === null ? null : round1(-20 + n[3] / 2) });
    default: return unparsed('hcsq', `unknown ^HCSQ system mode "${f[0]}"`);
  }
};

export const parseDhcp: Parser = (lines) => {
  const body = lines.map((l) => bodyOf(l, '^DHCP')).find((b) => b !== null);
  if (body == null) return unparsed('dhcp', 'no ^DHCP line');
  const f = values(body);
  if (f.length < 6) return unparsed('dhcp', `^DHCP expects 8 fields, got ${f.length}`);
  const addrs = f.slice(0, 6).map(leHexIpv4);
  if (addrs.some((a) => a === null)) return unparsed('dhcp', `^DHCP addresses must be 8-digit hex: "${body}"`);
  const [ipv4, netmask, gateway, dhcp, dns1, dns2] = addrs as string[];
  return ok('dhcp', { ipv4, netmask, prefix: maskToPrefix(netmask), gateway, dhcp_server: dhcp, dns1, dns2,
    max_rx_bps: int(f[6]), max_tx_bps: int(f[7]) });
};
