// +CSQ and +CESQ (3GPP TS 27.007 §8.5, §8.69): index values → dBm / dB, "unknown" sentinels → null.
import { bodyOf, int, round1, values } from './tokens.js';
import { ok, unparsed, type Parser } from './types.js';

export const parseCsq: Parser = (lines) => {
  const body = lines.map((l) => bodyOf(l, '+CSQ')).find((b) => b !== null);
  if (body == null) return unparsed('csq', 'no +CSQ line');
  const v = values(body);
  const idx = int(v[0]);
  const ber = int(v[1]);
  if (v.length !== 2 || idx === null || ber === null) return unparsed('csq', `+CSQ expects <rssi>,<ber>, got "${body}"`);
  let rssi: number | null = null;
  if (idx >= 0 && idx <= 31) rssi = -113 + 2 * idx;
  else if (idx >= 100 && idx <= 191) rssi = -116 + (idx - 100); // TD-SCDMA RSCP extension
  return ok('csq', { rssi_index: idx, rssi_dbm: rssi, ber, ber_known: ber >= 0 && ber <= 7 });
};

const level = (v: number | null, max: number, invalid: number) => (v === null || v === invalid || v < 0 || v > max ? null : v);

export const parseCesq: Parser = (lines) => {
  const body = lines.map((l) => bodyOf(l, '+CESQ')).find((b) => b !== null);
  if (body == null) return unparsed('cesq', 'no +CESQ line');
  const v = values(body).map((x) => int(x));
  if ((v.length !== 6 && v.length !== 9) || v.some((x) => x === null)) return unparsed('cesq', `+CESQ expects 6 or 9 integers, got "${body}"`);
  const rxlev = level(v[0], 63, 99);
  const ber = level(v[1], 7, 99);
  const rscp = level(v[2], 96, 255);
  const ecno = level(v[3], 49, 255);
  const rsrq = level(v[4], 34, 255);
  const rsrp = level(v[5], 97, 255);
  const rec: Record<string, unknown> = {
    gsm: rxlev === null ? null : { rxlev, rssi_dbm: -111 + rxlev, ber },
    umts: rscp === null && ecno === null ? null : {
      rscp_level: rscp, rscp_dbm: rscp === null ? null : -121 + rscp,
      ecno_level: ecno, ecno_db: ecno === null ? null : round1(-24.5 + ecno / 2),
    },
    rsrq_level: rsrq, rsrq_db: rsrq === null ? null : round1(-20 + rsrq / 2),
    rsrp_level: rsrp, rsrp_dbm: rsrp === null ? null : -141 + rsrp,
  };
  if (v.length === 9) {
    const ssRsrq = level(v[6], 127, 255);
    const ssRsrp = level(v[7], 126, 255);
    const ssSinr = level(v[8], 127, 255);
    rec.nr = ssRsrq === null && ssRsrp === null && ssSinr === null ? null : {
      rsrq_db: ssRsrq === null ? null : round1(-43 + ssRsrq / 2),
      rsrp_dbm: ssRsrp === null ? null : -157 + ssRsrp,
      sinr_db: ssSinr === null ? null : round1(-23 + ssSinr / 2),
    };
  }
  return ok('cesq', rec);
};
