// One-time codes for "ID number + code" login: 6 digits, hashed in memory, single use, short-lived,
// at most 3 guesses per code.
import { createHash, randomInt, timingSafeEqual } from 'node:crypto';

export interface OtpIssuer {
  issue(account: string): string;
  verify(account: string, code: string): boolean;
  clear(): void;
}

export function createOtpIssuer(ttlMs: number, now: () => number = Date.now): OtpIssuer {
  const codes = new Map<string, { hash: Buffer; expires: number; tries: number }>();
  const h = (c: string) => createHash('sha256').update(c).digest();
  return {
    issue(account) {
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      codes.set(account, { hash: h(code), expires: now() + ttlMs, tries: 0 });
      return code;
    },
    verify(account, code) {
      const rec = codes.get(account);
      if (!rec) return false;
      if (now() > rec.expires || rec.tries >= 3) { codes.delete(account); return false; }
      rec.tries++;
      const ok = timingSafeEqual(rec.hash, h(String(code)));
      if (ok) codes.delete(account);
      return ok;
    },
    clear() { codes.clear(); },
  };
}
