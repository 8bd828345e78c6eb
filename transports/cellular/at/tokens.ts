// Pure helpers shared by the parse-*.ts files: splitting AT reply lines into typed fields.

export interface Field { value: string; quoted: boolean }

/** Reply lines without blanks, echo or the final `OK`. */
export function replyLines(text: string): string[] {
  return text
    .split(/\r\n|\r|\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && l !== 'OK' && !/^AT[^:]*$/i.test(l));
}

/** The body after `+XYZ:` (or `^XYZ:`), or null when the line has another prefix. */
export function bodyOf(line: string, prefix: string): string | null {
  const t = line.trim();
  if (!t.toUpperCase().startsWith(`${prefix.toUpperCase()}:`)) return null;
  return t.slice(prefix.length + 1).trim();
}

/** Splits on commas outside double quotes; trims each field and strips its quotes. */
export function splitFields(body: string): Field[] {
  const out: Field[] = [];
  let cur = '';
  let inQuote = false;
  let quoted = false;
  for (const ch of body) {
    if (ch === '"') { inQuote = !inQuote; quoted = true; continue; }
    if (ch === ',' && !inQuote) { out.push({ value: cur.trim(), quoted }); cur = ''; quoted = false; continue; }
    cur += ch;
  }
  out.push({ value: cur.trim(), quoted });
  return out;
}

export function values(body: string): string[] { return splitFields(body).map((f) => f.value); }

/** Strict decimal integer; `-`, empty and anything else → null. */
export function int(s: string | undefined): number | null {
  if (s === undefined) return null;
  const t = s.trim();
  return /^[+-]?\d{1,15}$/.test(t) ? Number(t) : null;
}

/** Decimal number, integer or not. */
export function num(s: string | undefined): number | null {
  if (s === undefined) return null;
  const t = s.trim();
  return /^[+-]?\d{1,15}(\.\d+)?$/.test(t) ? Number(t) : null;
}

/** Hexadecimal (with or without 0x); null when not hex. */
export function hex(s: string | undefined): number | null {
  if (s === undefined) return null;
  const t = s.trim().replace(/^0x/i, '');
  return /^[0-9a-f]{1,13}$/i.test(t) ? parseInt(t, 16) : null;
}

/** Upper-case hex text without 0x, or null. */
export function hexText(s: string | undefined): string | null {
  if (s === undefined) return null;
  const t = s.trim().replace(/^0x/i, '');
  return /^[0-9a-f]{1,13}$/i.test(t) ? t.toUpperCase() : null;
}

/** An integer that means "unknown" at one of the given sentinel values. */
export function intOr(s: string | undefined, ...invalid: number[]): number | null {
  const v = int(s);
  return v === null || invalid.includes(v) ? null : v;
}

/** Rounds away binary noise (e.g. -20.2 + 13.2) to one decimal place. */
export function round1(v: number): number { return Math.round(v * 10) / 10; }

export function dotted4(bytes: number[]): string { return bytes.join('.'); }

export function isIpv4(s: string): boolean {
  const p = s.split('.');
  return p.length === 4 && p.every((x) => /^\d{1,3}$/.test(x) && Number(x) <= 255);
}

/** Prefix length of a contiguous netmask; null when not contiguous. */
export function maskToPrefix(mask: string): number | null {
  if (!isIpv4(mask)) return null;
  const bits = mask.split('.').map((x) => Number(x).toString(2).padStart(8, '0')).join('');
  return /^1*0*$/.test(bits) ? bits.indexOf('0') === -1 ? 32 : bits.indexOf('0') : null;
}

/** IPv4 from a little-endian hex u32 (Huawei ^DHCP, Quectel +QNETDEVSTATUS). */
export function leHexIpv4(s: string | undefined): string | null {
  if (s === undefined || !/^[0-9a-f]{8}$/i.test(s.trim())) return null;
  const n = parseInt(s.trim(), 16);
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff].join('.');
}

/** 16 dotted decimal bytes (3GPP IPv6 notation) → canonical colon form. */
export function dottedIpv6(s: string): string | null {
  const p = s.split('.');
  if (p.length !== 16 || !p.every((x) => /^\d{1,3}$/.test(x) && Number(x) <= 255)) return null;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((Number(p[i]) << 8) | Number(p[i + 1])).toString(16));
  return groups.join(':');
}

export function isIpv6(s: string): boolean { return /^[0-9a-f:]+$/i.test(s) && s.includes(':'); }

/** Address text → {ipv4} or {ipv6}; 0.0.0.0 and :: are "none". */
export function classifyAddress(s: string | undefined): { ipv4?: string; ipv6?: string } {
  if (!s) return {};
  const t = s.trim();
  if (isIpv4(t)) return t === '0.0.0.0' ? {} : { ipv4: t };
  const v6 = dottedIpv6(t) ?? (isIpv6(t) ? t.toLowerCase() : null);
  if (v6 && !/^[0:]+$/.test(v6)) return { ipv6: v6 };
  return {};
}
