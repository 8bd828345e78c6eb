// Account passwords, hashed with scrypt (per-password salt, parameters stored with the hash).
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { Store } from '../../../daemon/store.js';

const scrypt = (pw: string, salt: Buffer, len: number, opts: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scryptCb(pw, salt, len, opts, (err, key) => (err ? reject(err) : resolve(key))));

interface PasswordRecord { v: 1; salt: string; hash: string; N: number; r: number; p: number }

export const SCRYPT_PARAMS = { N: 16384, r: 8, p: 1 };

export async function hashPassword(password: string, params = SCRYPT_PARAMS): Promise<PasswordRecord> {
  const salt = randomBytes(16);
  const hash = await scrypt(password.normalize('NFKC'), salt, 32, { ...params, maxmem: 64 * 1024 * 1024 });
  return { v: 1, salt: salt.toString('base64'), hash: hash.toString('base64'), ...params };
}

export async function verifyPassword(password: string, rec: PasswordRecord): Promise<boolean> {
  const expected = Buffer.from(rec.hash, 'base64');
  const got = await scrypt(password.normalize('NFKC'), Buffer.from(rec.salt, 'base64'), expected.length, { N: rec.N, r: rec.r, p: rec.p, maxmem: 64 * 1024 * 1024 });
  return timingSafeEqual(got, expected);
}

export interface CredentialStore {
  setPassword(account: string, password: string): Promise<void>;
  /** false also when the account has no password (costs the same time, so absence does not leak) */
  checkPassword(account: string, password: string): Promise<boolean>;
  hasPassword(account: string): Promise<boolean>;
  delete(account: string): Promise<void>;
}

export function createCredentialStore(store: Store): CredentialStore {
  const k = (a: string) => `pwd:${a}`;
  let decoy: Promise<PasswordRecord> | null = null;
  return {
    async setPassword(account, password) {
      if (password.length < 6) throw Object.assign(new Error('password too short (at least 6 characters)'), { code: 'FACE_PASSWORD_WEAK' });
      await store.put(k(account), await hashPassword(password));
    },
    async checkPassword(account, password) {
      const rec = (await store.get(k(account))) as PasswordRecord | undefined;
      if (!rec) { decoy ??= hashPassword('decoy'); await verifyPassword(password, await decoy); return false; }
      return verifyPassword(password, rec);
    },
    async hasPassword(account) { return (await store.get(k(account))) !== undefined; },
    async delete(account) { await store.del(k(account)); },
  };
}
