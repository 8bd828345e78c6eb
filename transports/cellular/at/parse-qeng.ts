// Quectel AT+QENG="servingcell" / "neighbourcell" (EC2x/EG2x, RM5xx/RG5xx manuals). Layouts are chosen by the
// RAT word and the field count; a row whose count matches no documented layout is reported, never guessed.
import { bandOf, lteBwMhz, nrBwMhz, plausible, ratOfWord, scsKhz } from './canonical.js';
import { bodyOf, hex, hexText, intOr, round1, values } from './tokens.js';
import { ok, unparsed, type AtRecord, type ParseOptions, type Parser } from './types.js';

const INVALID_TX = [-32768];

/** Quectel prints -32768 (and sometimes 32767) for "not available" in any numeric column. */
const qint = (s: string | undefined) => intOr(s, -32768, 32767);

function lteSinr(raw: number | null, opts: ParseOptions): number | null {
  const s = opts.units?.qengLteSinr;
  return raw === null || !s ? null : round1(raw * s.scale + s.offset);
}

function cellIds(rec: AtRecord, cellHex: string | undefined, tacHex: string | undefined): void {
  rec.cell_id_hex = hexText(cellHex);
  rec.cell_id = hex(cellHex);
  rec.tac_hex = hexText(tacHex);
  rec.tac = hex(tacHex);
}

/** LTE cell fields starting at <is_tdd>: is_tdd,MCC,MNC,cellID,PCID,earfcn,band,UL_bw,DL_bw,TAC,RSRP,RSRQ,RSSI,SINR[,CQI,tx_power],srxlev */
function lteRow(f: string[], opts: ParseOptions): AtRecord | string {
  const n = f.length;
  if (n !== 15 && n !== 17 && n !== 14 && n !== 16) return `LTE row has ${n} fields after the RAT; expected 14–17`;
  const rec: AtRecord = { rat: 'LTE', duplex: f[0] || null, mcc: f[1] || null, mnc: f[2] || null };
  cellIds(rec, f[3], f[9]);
  rec.pci = intOr(f[4]);
  rec.earfcn = qint(f[5]);
  rec.band = qint(f[6]);
  rec.ul_bw_enum = qint(f[7]);
  rec.ul_bw_mhz = lteBwMhz(rec.ul_bw_enum as number | null);
  rec.dl_bw_enum = qint(f[8]);
  rec.dl_bw_mhz = lteBwMhz(rec.dl_bw_enum as number | null);
  rec.rsrp_dbm = qint(f[10]);
  rec.rsrq_db = qint(f[11]);
  rec.rssi_dbm = qint(f[12]);
  rec.sinr_raw = qint(f[13]);
  rec.sinr_db = lteSinr(rec.sinr_raw as number | null, opts);
  // Tail: 17 = CQI,tx_power,srxlev; 16 = CQI,tx_power; 15 = srxlev (older EC2x); 14 = none.
  rec.cqi = n >= 16 ? qint(f[14]) : null;
  rec.tx_power = n >= 16 ? intOr(f[15], ...INVALID_TX) : null;
  rec.srxlev = n === 17 ? qint(f[16]) : n === 15 ? qint(f[14]) : null;
  if (!plausible.rsrp(rec.rsrp_dbm as number | null) || !plausible.rsrq(rec.rsrq_db as number | null)) return `LTE row values out of range: ${f.join(',')}`;
  return rec;
}

/** NR5G-SA fields starting at <duplex_mode>: duplex,MCC,MNC,cellID,PCID,TAC,ARFCN,band,NR_DL_bw,RSRP,RSRQ,SINR,scs|tx_power,srxlev */
function nrSaRow(f: string[], opts: ParseOptions): AtRecord | string {
  if (f.length !== 14) return `NR5G-SA row has ${f.length} fields after the RAT; expected 14`;
  const rec: AtRecord = { rat: 'NR5G-SA', duplex: f[0] || null, mcc: f[1] || null, mnc: f[2] || null };
  cellIds(rec, f[3], f[5]);
  rec.pci = qint(f[4]);
  rec.arfcn = qint(f[6]);
  rec.band = bandOf(f[7], 'NR');
  rec.dl_bw_enum = qint(f[8]);
  rec.dl_bw_mhz = nrBwMhz(rec.dl_bw_enum as number | null);
  rec.rsrp_dbm = qint(f[9]);
  rec.rsrq_db = qint(f[10]);
  rec.sinr_db = qint(f[11]);
  if ((opts.units?.qengNrSaCol15 ?? 'scs') === 'scs') {
    rec.scs_enum = qint(f[12]);
    rec.scs_khz = scsKhz(rec.scs_enum as number | null);
  } else rec.tx_power = intOr(f[12], ...INVALID_TX);
  rec.srxlev = qint(f[13]);
  if (!plausible.rsrp(rec.rsrp_dbm as number | null) || !plausible.rsrq(rec.rsrq_db as number | null)) return `NR5G-SA row values out of range: ${f.join(',')}`;
  return rec;
}

/** EN-DC secondary: MCC,MNC,PCID,RSRP,SINR,RSRQ[,ARFCN,band[,NR_DL_bw[,scs]]] (RSRP, SINR, RSRQ order per manual). */
function nrNsaRow(f: string[]): AtRecord | string {
  if (f.length < 6 || f.length > 10) return `NR5G-NSA row has ${f.length} fields after the RAT; expected 6–10`;
  const rec: AtRecord = { rat: 'NR5G-NSA', mcc: f[0] || null, mnc: f[1] || null, pci: qint(f[2]),
    rsrp_dbm: qint(f[3]), sinr_db: qint(f[4]), rsrq_db: qint(f[5]),
    arfcn: qint(f[6]), band: bandOf(f[7], 'NR'), dl_bw_enum: qint(f[8]), dl_bw_mhz: nrBwMhz(qint(f[8])),
    scs_enum: qint(f[9]), scs_khz: scsKhz(qint(f[9])) };
  if (!plausible.rsrp(rec.rsrp_dbm as number | null) || !plausible.rsrq(rec.rsrq_db as number | null)) return `NR5G-NSA row values out of range: ${f.join(',')}`;
  return rec;
}

/** WCDMA fields from MCC: MCC,MNC,LAC,cellID,uarfcn,PSC,RAC,RSCP,ecio,phych,SF,slot,speech_code,comMod */
function wcdmaRow(f: string[]): AtRecord | string {
  if (f.length < 9) return `WCDMA row has ${f.length} fields after the RAT`;
  return { rat: 'WCDMA', mcc: f[0] || null, mnc: f[1] || null, lac_hex: hexText(f[2]), lac: hex(f[2]), cell_id_hex: hexText(f[3]),
    cell_id: hex(f[3]), uarfcn: qint(f[4]), psc: qint(f[5]), rac: qint(f[6]), rscp_dbm: qint(f[7]), ecio_db: qint(f[8]) };
}

/** GSM fields from MCC: MCC,MNC,LAC,cellid,bsic,arfcn,band,rxlev,… */
function gsmRow(f: string[]): AtRecord | string {
  if (f.length < 8) return `GSM row has ${f.length} fields after the RAT`;
  return { rat: 'GSM', mcc: f[0] || null, mnc: f[1] || null, lac_hex: hexText(f[2]), lac: hex(f[2]), cell_id_hex: hexText(f[3]),
    cell_id: hex(f[3]), bsic: qint(f[4]), arfcn: qint(f[5]), band: f[6] || null, rssi_dbm: qint(f[7]) };
}

function neighbourRow(f: string[]): AtRecord | string {
  const type = f[0];
  const rat = f[1];
  const r = f.slice(2);
  if (rat === 'LTE') {
    // Qualcomm-based firmware (EC2x, RM5xxQ, RM520N):
    //   intra: earfcn,PCID,RSRQ,RSRP,RSSI,SINR,srxlev,cell_resel_priority,s_non_intra_search,thresh_serving_low,s_intra_search
    //   inter: earfcn,PCID,RSRQ,RSRP,RSSI,SINR,srxlev,cell_resel_priority,threshX_low,threshX_high
    // Unisoc-based (RM500U) put RSRP before RSRQ with a different tail: told apart by physics (RSRP < RSRQ).
    if (r.length < 4 || r.length > 11) return `LTE neighbour row has ${f.length} fields`;
    const a = qint(r[2]);
    const b = qint(r[3]);
    if (a !== null && b !== null && a < b && a <= -44) {
      const rec: AtRecord = { type, rat: 'LTE', earfcn: qint(r[0]), pci: qint(r[1]), rsrp_dbm: a, rsrq_db: b };
      return plausible.rsrq(b) ? rec : `LTE neighbour values out of range: ${f.join(',')}`;
    }
    if (r.length < 7) return `LTE neighbour row has ${f.length} fields`;
    const rec: AtRecord = { type, rat: 'LTE', earfcn: qint(r[0]), pci: qint(r[1]), rsrq_db: a, rsrp_dbm: b,
      rssi_dbm: qint(r[4]), sinr: qint(r[5]), sinr_raw: qint(r[5]), srxlev: qint(r[6]), cell_resel_priority: qint(r[7]) };
    if (/intra/i.test(type) && r.length === 11) Object.assign(rec, { s_non_intra_search: qint(r[8]), thresh_serving_low: qint(r[9]), s_intra_search: qint(r[10]) });
    if (/inter/i.test(type) && r.length === 10) Object.assign(rec, { threshx_low: qint(r[8]), threshx_high: qint(r[9]) });
    if (!plausible.rsrp(rec.rsrp_dbm as number | null) || !plausible.rsrq(rec.rsrq_db as number | null)) return `LTE neighbour values out of range: ${f.join(',')}`;
    return rec;
  }
  if (/^NR/.test(rat)) {
    // <arfcn>,<PCID>,<RSRP>,<RSRQ>[,<SINR>…] — some firmware omits the ARFCN (then the second value is already a
    // power, i.e. negative), and the two power columns come in either order: the lower one is RSRP.
    if (r.length < 4) return `NR neighbour row has ${f.length} fields`;
    const noArfcn = (qint(r[1]) ?? 0) < 0;
    const o = noArfcn ? -1 : 0;
    const a = qint(r[o + 2]);
    const b = qint(r[o + 3]);
    const [rsrp, rsrq] = a !== null && b !== null ? [Math.min(a, b), Math.max(a, b)] : [a, b];
    const rec: AtRecord = { type, rat: 'NR', arfcn: noArfcn ? null : qint(r[0]), pci: qint(r[o + 1]), rsrp_dbm: rsrp, rsrq_db: rsrq,
      sinr_db: r.length > o + 4 ? qint(r[o + 4]) : null };
    if (!plausible.rsrp(rsrp) || !plausible.rsrq(rsrq)) return `NR neighbour values out of range: ${f.join(',')}`;
    return rec;
  }
  if (rat === 'WCDMA') {
    // uarfcn,cell_resel_priority,thresh_Xhigh,thresh_Xlow,PSC,RSCP,ecno,srxlev
    if (r.length < 8) return `WCDMA neighbour row has ${f.length} fields`;
    return { type, rat: 'WCDMA', uarfcn: qint(r[0]), cell_resel_priority: qint(r[1]), psc: qint(r[4]), rscp_dbm: qint(r[5]), ecno_db: qint(r[6]), srxlev: qint(r[7]) };
  }
  if (rat === 'GSM') {
    // arfcn,cell_resel_priority,thresh_gsm_high,thresh_gsm_low,ncc_permitted,band,bsic_id,rssi,srxlev
    if (r.length < 9) return `GSM neighbour row has ${f.length} fields`;
    return { type, rat: 'GSM', arfcn: qint(r[0]), band: r[5] || null, bsic: qint(r[6]), rssi_dbm: qint(r[7]), srxlev: qint(r[8]) };
  }
  return `unknown neighbour RAT "${rat}"`;
}

export const parseQeng: Parser = (lines, opts) => {
  const rows = lines.map((l) => bodyOf(l, '+QENG')).filter((b): b is string => b !== null).map(values);
  if (rows.length === 0) return unparsed('qeng', 'no +QENG line');
  const out: AtRecord = {};
  const neighbours: AtRecord[] = [];
  const skipped: string[] = [];
  for (const f of rows) {
    const head = f[0];
    if (head === 'servingcell') {
      out.state = f[1] || null;
      if (f.length === 2) continue; // EN-DC header or SEARCH/LIMSRV without a cell
      const rat = f[2];
      const r = rat === 'LTE' ? lteRow(f.slice(3), opts) : rat === 'NR5G-SA' ? nrSaRow(f.slice(3), opts)
        : rat === 'WCDMA' ? wcdmaRow(f.slice(3)) : rat === 'GSM' ? gsmRow(f.slice(3)) : `unknown serving RAT "${rat}"`;
      if (typeof r === 'string') return unparsed('qeng', r);
      Object.assign(out, r);
    } else if (head === 'LTE') {
      const r = lteRow(f.slice(1), opts);
      if (typeof r === 'string') return unparsed('qeng', r);
      out.lte = r;
    } else if (head === 'NR5G-NSA') {
      const r = nrNsaRow(f.slice(1));
      if (typeof r === 'string') return unparsed('qeng', r);
      out.nr = r;
    } else if (head?.startsWith('neighbourcell')) {
      const r = neighbourRow(f);
      if (typeof r === 'string') skipped.push(r); else neighbours.push(r);
    } else {
      return unparsed('qeng', `unknown +QENG row "${f.join(',')}"`);
    }
  }
  if (out.lte || out.nr) {
    // EN-DC: the LTE anchor and the NR leg stay nested; rat says which mode the modem is in.
    out.rat = out.nr ? 'NR5G-NSA' : 'LTE';
  }
  if (neighbours.length === 0 && skipped.length > 0 && Object.keys(out).length === 0) return unparsed('qeng', skipped.join('; '));
  if (neighbours.length > 0 || skipped.length > 0) {
    // A neighbour-only reply also mirrors its first row at the top, for one-line consumers.
    if (Object.keys(out).length === 0) Object.assign(out, neighbours[0]);
    out.neighbours = neighbours;
    if (skipped.length) out.unparsed_rows = skipped;
  }
  if (out.rat === undefined && out.state === undefined) return unparsed('qeng', 'no serving or neighbour cell rows');
  if (out.rat === undefined) out.rat = null;
  if (out.rat !== null && ratOfWord(String(out.rat)) === null) return unparsed('qeng', `unknown rat ${String(out.rat)}`);
  return ok('qeng', out);
};
