// What every pure parser returns: a record in canonical field names, or the reason it could not parse.

export type AtRecord = Record<string, unknown>;

export type ParseOutcome =
  | { ok: true; parser: string; record: AtRecord }
  | { ok: false; parser?: string; reason: string };

/** How a firmware reports values whose unit differs between families (declared in its profile). */
export interface UnitScaling {
  /** Quectel +QENG LTE <SINR>: dB = raw * scale + offset; absent = unit unknown (only sinr_raw). */
  qengLteSinr?: { scale: number; offset: number };
  /** Quectel +QENG NR5G-SA column after <SINR>: `scs` (RM520N) or `tx_power` (RM500Q manuals). */
  qengNrSaCol15?: 'scs' | 'tx_power';
  /** SIMCom +CPSI RSRP/RSRQ/RSSI: tenths of a dB, whole dB, or decided per line from RSRP's range. */
  cpsiPower?: 'tenths' | 'whole' | 'auto';
  cpsiLteSnr?: 'tenths' | 'whole' | 'auto';
  cpsiNrSnr?: 'tenths' | 'whole' | 'auto';
}

export interface ParseOptions { units?: UnitScaling }

export type Parser = (lines: string[], opts: ParseOptions) => ParseOutcome;

export const ok = (parser: string, record: AtRecord): ParseOutcome => ({ ok: true, parser, record });
export const unparsed = (parser: string, reason: string): ParseOutcome => ({ ok: false, parser, reason });
