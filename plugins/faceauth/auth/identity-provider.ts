// Registration authentication against the operator's records, behind an adapter interface. The local
// file-backed provider serves the demo; a real hall plugs in its tax/bank system here.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { KefuError } from '../../../protocol/errors.js';

export interface RegistrationClaim { account: string; idNumber: string; name?: string }
export interface IdentityCheck { ok: boolean; reason?: 'UNKNOWN_ACCOUNT' | 'ID_MISMATCH' | 'NAME_MISMATCH' | 'ID_INVALID' }

export interface IdentityProvider {
  /** Does this ID document number (and name, if given) belong to this account in the operator's records? */
  verifyRegistration(claim: RegistrationClaim): Promise<IdentityCheck>;
  /** The account an ID number is registered to, for "ID number + one-time code" login. */
  accountForIdNumber(idNumber: string): Promise<string | null>;
  /** Delivers a one-time code through the operator's channel (SMS…); returns where it went, masked. */
  sendCode(account: string, code: string): Promise<{ channel: string; to: string }>;
  /** The accounts and ID numbers on record: shown by the demo login page only, never in production. */
  listAccounts(): Promise<Array<{ account: string; idNumber: string }>>;
}

/**
 * Mainland resident ID (GB 11643-1999): 17 digits and a check character (ISO 7064 MOD 11-2). Other
 * document kinds are accepted as 6–20 letters/digits; the operator's system has the last word.
 */
export function validIdNumber(id: string): boolean {
  const s = id.trim().toUpperCase();
  if (/^\d{17}[\dX]$/.test(s)) {
    const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const sum = w.reduce((a, wi, i) => a + wi * Number(s[i]), 0);
    return '10X98765432'[sum % 11] === s[17];
  }
  return /^[A-Z0-9]{6,20}$/.test(s) && !/^\d{18}$/.test(s) && !/^\d{17}X$/.test(s);
}

const IdentityFile = z.object({
  accounts: z.array(z.object({ account: z.string().min(1), idNumber: z.string().min(6), name: z.string().optional(), phone: z.string().optional() })),
});

/** Reads the identity file on every call (the operator may edit it while the daemon runs). */
export function createFileIdentityProvider(path: string, deliver: (to: string, code: string) => void = () => {}): IdentityProvider {
  async function load() {
    let text: string;
    try { text = await readFile(path, 'utf8'); } catch (err) {
      throw new KefuError('FACE_IDENTITY_UNAVAILABLE', `identity file not readable: ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    const parsed = IdentityFile.safeParse(JSON.parse(text));
    if (!parsed.success) throw new KefuError('FACE_IDENTITY_UNAVAILABLE', `identity file ${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    return parsed.data.accounts;
  }
  const norm = (s: string) => s.trim().toUpperCase();
  return {
    async verifyRegistration(claim) {
      if (!validIdNumber(claim.idNumber)) return { ok: false, reason: 'ID_INVALID' };
      const rec = (await load()).find((a) => a.account === claim.account);
      if (!rec) return { ok: false, reason: 'UNKNOWN_ACCOUNT' };
      if (norm(rec.idNumber) !== norm(claim.idNumber)) return { ok: false, reason: 'ID_MISMATCH' };
      if (claim.name !== undefined && rec.name !== undefined && rec.name.trim() !== claim.name.trim()) return { ok: false, reason: 'NAME_MISMATCH' };
      return { ok: true };
    },
    async accountForIdNumber(idNumber) {
      return (await load()).find((a) => norm(a.idNumber) === norm(idNumber))?.account ?? null;
    },
    async listAccounts() {
      return (await load()).map((a) => ({ account: a.account, idNumber: a.idNumber }));
    },
    async sendCode(account, code) {
      const rec = (await load()).find((a) => a.account === account);
      const to = rec?.phone ?? '';
      deliver(to, code);
      return { channel: 'sms', to: to ? `${to.slice(0, 3)}****${to.slice(-4)}` : '' };
    },
  };
}
