// 3GPP and vendor enumerations mapped to the canonical names of DESIGN.md ("Transports").

const REGISTRATION = ['not_registered', 'home', 'searching', 'denied', 'unknown', 'roaming', 'home_sms_only',
  'roaming_sms_only', 'emergency_only', 'home', 'roaming'] as const;

/** 27.007 <stat> → canonical registration (9/10 are "CSFB not preferred", still registered). */
export function registrationOf(stat: number | null): string | null {
  if (stat === null) return null;
  return REGISTRATION[stat] ?? 'unknown';
}

export function isRegistered(registration: unknown): boolean {
  return registration === 'home' || registration === 'roaming' || registration === 'home_sms_only' || registration === 'roaming_sms_only';
}

/** 27.007 <AcT> → canonical rat. */
export function ratOfAct(act: number | null): string | null {
  switch (act) {
    case 0: case 1: case 3: case 8: return 'GSM';
    case 2: case 4: case 5: case 6: return 'WCDMA';
    case 7: case 9: case 10: return 'LTE';
    case 11: case 12: return 'NR5G-SA';
    case 13: return 'NR5G-NSA';
    default: return null;
  }
}

/** Vendor RAT words (+QENG, ^HCSQ, +COPS text) → canonical rat. */
export function ratOfWord(word: string): string | null {
  const w = word.toUpperCase().replace(/_/g, '-');
  if (w === 'LTE' || w.startsWith('LTE ') || w === 'FDD LTE' || w === 'TDD LTE' || w === 'CAT-M' || w === 'CAT-NB') return 'LTE';
  if (w === 'NR5G-SA' || w === 'NR-SA' || w === 'NR') return 'NR5G-SA';
  if (w === 'NR5G-NSA' || w === 'NR-NSA' || w === 'EN-DC') return 'NR5G-NSA';
  if (w === 'WCDMA' || w === 'UMTS' || w === 'HSPA' || w === 'TD-SCDMA') return 'WCDMA';
  if (w === 'GSM' || w === 'EDGE' || w === 'GPRS') return 'GSM';
  return null;
}

const LTE_BW_MHZ = [1.4, 3, 5, 10, 15, 20];
/** LTE bandwidth enum (Quectel <DL_bandwidth>, SIMCom <dlbw>) → MHz. */
export function lteBwMhz(e: number | null): number | null { return e === null ? null : LTE_BW_MHZ[e] ?? null; }

const NR_BW_MHZ = [5, 10, 15, 20, 25, 30, 40, 50, 60, 70, 80, 90, 100, 200, 400, 35, 45];
/** Quectel <NR_DL_bandwidth> enum → MHz. */
export function nrBwMhz(e: number | null): number | null { return e === null ? null : NR_BW_MHZ[e] ?? null; }

/** NR <scs> enum → kHz. */
export function scsKhz(e: number | null): number | null { return e === null || e < 0 || e > 4 ? null : 15 * 2 ** e; }

/** "EUTRAN-BAND4" → 4; "NR5G_BAND78" / "NR5G BAND 78" → "n78"; bare numbers by rat. */
export function bandOf(text: string | undefined, rat: 'LTE' | 'NR'): number | string | null {
  if (!text) return null;
  const m = /(\d+)\s*$/.exec(text.trim());
  if (!m) return null;
  const n = Number(m[1]);
  if (n <= 0 || n > 1024) return null;
  return rat === 'NR' ? `n${n}` : n;
}

/** Physically plausible ranges: a value outside them means the layout guess is wrong. */
export const plausible = {
  rsrp: (v: number | null) => v === null || (v <= -30 && v >= -160),
  rsrq: (v: number | null) => v === null || (v <= 20 && v >= -45),
};
