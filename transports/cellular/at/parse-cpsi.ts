// SIMCom AT+CPSI? (SIM7600 / SIM8200 manuals §4.2.14). Three traps: the RAT forms order RSRQ/RSRP differently,
// power values come in tenths or whole dB (even within one EN-DC reply), and SCellID is decimal while TAC is hex.
import { bandOf, lteBwMhz, plausible } from './canonical.js';
import { bodyOf, hex, hexText, int, num, round1, values } from './tokens.js';
import { ok, unparsed, type AtRecord, type ParseOptions, type Parser } from './types.js';

type Scale = 'tenths' | 'whole' | 'auto';

/** RSRP alone decides: 3GPP bounds it to -140…-44 dBm, so tenths (-1400…-440) never overlap whole values. */
function powerDiv(rsrp: number | null, mode: Scale): number {
  if (mode === 'tenths') return 10;
  if (mode === 'whole') return 1;
  return rsrp !== null && rsrp <= -300 ? 10 : 1;
}

/** SINR has its own unit: beyond ±40 it can only be tenths. */
function snrDiv(snr: number | null, mode: Scale): number {
  if (mode === 'tenths') return 10;
  if (mode === 'whole') return 1;
  return snr !== null && Math.abs(snr) > 40 ? 10 : 1;
}

const scaled = (v: number | null, div: number) => (v === null ? null : round1(v / div));

function plmn(s: string | undefined): { mcc: string | null; mnc: string | null } {
  const m = /^(\d{3})-(\d{2,3})$/.exec(s ?? '');
  return m ? { mcc: m[1], mnc: m[2] } : { mcc: null, mnc: null };
}

/** A value printed with a decimal point (some firmware: "8.5") is already in dB: never divided. */
const fixedWhole = (s: string | undefined): Scale | null => (s !== undefined && s.includes('.') ? 'whole' : null);

function signal(rec: AtRecord, raw: { rsrp: number | null; rsrq: number | null; rssi?: number | null; snr: number | null }, power: Scale, snr: Scale): string | null {
  const pd = powerDiv(raw.rsrp, power);
  rec.rsrq_db = scaled(raw.rsrq, pd);
  rec.rsrp_dbm = scaled(raw.rsrp, pd);
  if (raw.rssi !== undefined) rec.rssi_dbm = scaled(raw.rssi, pd);
  rec.sinr_db = scaled(raw.snr, snrDiv(raw.snr, snr));
  if (!plausible.rsrp(rec.rsrp_dbm as number | null) || !plausible.rsrq(rec.rsrq_db as number | null)) return 'signal values out of range';
  return null;
}

function lteLine(f: string[], o: ParseOptions): AtRecord | string {
  // mode,op,MCC-MNC,TAC,SCellID,PCellID,band,earfcn,dlbw,ulbw,RSRQ,RSRP,RSSI,RSSNR
  if (f.length !== 14) return `LTE +CPSI has ${f.length} fields; expected 14`;
  const rec: AtRecord = { rat: 'LTE', operation_mode: f[1], ...plmn(f[2]), tac_hex: hexText(f[3]), tac: hex(f[3]),
    cell_id: int(f[4]), pci: int(f[5]), band: bandOf(f[6], 'LTE'), earfcn: int(f[7]),
    dl_bw_enum: int(f[8]), dl_bw_mhz: lteBwMhz(int(f[8])), ul_bw_enum: int(f[9]), ul_bw_mhz: lteBwMhz(int(f[9])) };
  rec.cell_id_hex = rec.cell_id === null ? null : (rec.cell_id as number).toString(16).toUpperCase();
  const bad = signal(rec, { rsrq: num(f[10]), rsrp: num(f[11]), rssi: num(f[12]), snr: num(f[13]) }, fixedWhole(f[11]) ?? o.units?.cpsiPower ?? 'auto', fixedWhole(f[13]) ?? o.units?.cpsiLteSnr ?? 'auto');
  return bad ? `LTE +CPSI ${bad}: ${f.join(',')}` : rec;
}

function nrSaLine(f: string[], o: ParseOptions): AtRecord | string {
  // mode,op,MCC-MNC,TAC,SCellID,PCellID,[band,]arfcn,RSRP,RSRQ,SNR — RSRP before RSRQ here.
  const withBand = f.length === 11;
  if (f.length !== 10 && !withBand) return `NR5G_SA +CPSI has ${f.length} fields; expected 10 or 11`;
  const i = withBand ? 7 : 6;
  const rec: AtRecord = { rat: 'NR5G-SA', operation_mode: f[1], ...plmn(f[2]), tac_hex: hexText(f[3]), tac: hex(f[3]),
    cell_id: int(f[4]), pci: int(f[5]), band: withBand ? bandOf(f[6], 'NR') : null, arfcn: int(f[i]) };
  rec.cell_id_hex = rec.cell_id === null ? null : (rec.cell_id as number).toString(16).toUpperCase();
  const bad = signal(rec, { rsrp: num(f[i + 1]), rsrq: num(f[i + 2]), snr: num(f[i + 3]) }, fixedWhole(f[i + 1]) ?? o.units?.cpsiPower ?? 'auto', fixedWhole(f[i + 3]) ?? o.units?.cpsiNrSnr ?? 'auto');
  return bad ? `NR5G_SA +CPSI ${bad}: ${f.join(',')}` : rec;
}

function nrEndcLine(f: string[], o: ParseOptions): AtRecord | string {
  // SIM8200 manual: mode,PCellID,arfcn,RSRQ,RSRP,SNR — no PLMN/TAC/cell id: they belong to the LTE anchor line.
  // Later firmware adds the band: mode,PCellID,band,arfcn,<power>,<power>,SNR. There the order of the two power
  // columns is not documented, so physics decides: in the same unit RSRP is always below RSRQ.
  if (f.length !== 6 && f.length !== 7) return `EN-DC NR +CPSI has ${f.length} fields; expected 6 or 7`;
  const withBand = f.length === 7;
  const i = withBand ? 3 : 2;
  const rec: AtRecord = { rat: 'NR5G-NSA', pci: int(f[1]), band: withBand ? bandOf(f[2], 'NR') : null, arfcn: int(f[i]) };
  const a = num(f[i + 1]);
  const b = num(f[i + 2]);
  const [rsrq, rsrp] = withBand ? (a !== null && b !== null ? [Math.max(a, b), Math.min(a, b)] : [null, null]) : [a, b];
  const bad = signal(rec, { rsrq, rsrp, snr: num(f[i + 3]) }, fixedWhole(f[i + 1]) ?? o.units?.cpsiPower ?? 'auto', fixedWhole(f[i + 3]) ?? o.units?.cpsiNrSnr ?? 'auto');
  return bad ? `EN-DC NR +CPSI ${bad}: ${f.join(',')}` : rec;
}

function gsmLine(f: string[]): AtRecord | string {
  // GSM,op,MCC-MNC,LAC,CellID,"ARFCN BAND",RxLev(dBm),TrackLO,C1-C2
  if (f.length < 7) return `GSM +CPSI has ${f.length} fields`;
  const arfcn = /^(\d+)/.exec(f[5] ?? '');
  return { rat: 'GSM', operation_mode: f[1], ...plmn(f[2]), lac_hex: hexText(f[3]), lac: hex(f[3]), cell_id: int(f[4]),
    arfcn: arfcn ? Number(arfcn[1]) : null, rssi_dbm: int(f[6]) };
}

function wcdmaLine(f: string[]): AtRecord | string {
  // WCDMA,op,MCC-MNC,LAC,CellID,band,PSC,freq,SSC,EC/IO,RSCP,… — signal signs differ between firmware: identity only.
  if (f.length < 8) return `WCDMA +CPSI has ${f.length} fields`;
  return { rat: 'WCDMA', operation_mode: f[1], ...plmn(f[2]), lac_hex: hexText(f[3]), lac: hex(f[3]), cell_id: int(f[4]), psc: int(f[6]), uarfcn: int(f[7]) };
}

export const parseCpsi: Parser = (lines, opts) => {
  const rows = lines.map((l) => bodyOf(l, '+CPSI')).filter((b): b is string => b !== null).map(values);
  if (rows.length === 0) return unparsed('cpsi', 'no +CPSI line');
  const recs: AtRecord[] = [];
  for (const f of rows) {
    const mode = (f[0] ?? '').toUpperCase();
    let r: AtRecord | string;
    if (mode === 'NO SERVICE') r = { rat: null, service: false, operation_mode: f[1] ?? null };
    else if (mode.includes('LTE')) r = lteLine(f, opts);
    else if (mode.startsWith('NR5G')) r = int(f[1]) !== null ? nrEndcLine(f, opts) : nrSaLine(f, opts);
    else if (mode === 'GSM') r = gsmLine(f);
    else if (mode === 'WCDMA') r = wcdmaLine(f);
    else if (/EN-DC|ENDC/.test(mode)) continue; // "NOT IN EN-DC CONNECTED MODE" notices
    else r = `unknown +CPSI system mode "${f[0]}"`;
    if (typeof r === 'string') return unparsed('cpsi', r);
    recs.push(r);
  }
  if (recs.length === 0) return unparsed('cpsi', 'no serving cell in +CPSI reply');
  const lte = recs.find((r) => r.rat === 'LTE');
  const nsa = recs.find((r) => r.rat === 'NR5G-NSA');
  if (lte && nsa) return ok('cpsi', { rat: 'NR5G-NSA', mcc: lte.mcc, mnc: lte.mnc, lte, nr: nsa });
  if (nsa) return ok('cpsi', { rat: 'NR5G-NSA', nr: nsa });
  return ok('cpsi', { service: recs[0].rat !== null, ...recs[0] });
};
