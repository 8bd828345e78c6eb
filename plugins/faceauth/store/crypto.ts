// AES-256-GCM sealing of records at rest: a fresh 96-bit IV per record, the record's key as associated
// data (a sealed template copied under another account fails authentication).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { KefuError } from '../../../protocol/errors.js';

export interface Sealed { v: 1; iv: string; tag: string; ct: string }

/** Reads a 32-byte key file: raw bytes, 64 hex characters, or base64. */
export async function readKeyFile(path: string): Promise<Buffer> {
  let raw: Buffer;
  try { raw = await readFile(path); } catch (err) {
    throw new KefuError('FACE_KEY_MISSING', `template key file not readable: ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (raw.length === 32) return raw;
  const text = raw.toString('utf8').trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  const b64 = Buffer.from(text, 'base64');
  if (b64.length === 32) return b64;
  throw new KefuError('FACE_KEY_INVALID', `template key file ${path} must hold 32 bytes (raw, hex or base64)`);
}

/** Reads the key file, creating it (mode 0600, random) when it does not exist yet. */
export async function readOrCreateKeyFile(path: string): Promise<Buffer> {
  try { return await readKeyFile(path); } catch (err) {
    if ((err as KefuError).code !== 'FACE_KEY_MISSING') throw err;
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await writeFile(path, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' }).catch((e: NodeJS.ErrnoException) => { if (e.code !== 'EEXIST') throw e; });
    return readKeyFile(path);
  }
}

export function seal(key: Buffer, plaintext: Buffer, aad: string): Sealed {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([c.update(plaintext), c.final()]);
  return { v: 1, iv: iv.toString('base64'), tag: c.getAuthTag().toString('base64'), ct: ct.toString('base64') };
}

export function open(key: Buffer, sealed: Sealed, aad: string): Buffer {
  try {
    const d = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
    d.setAAD(Buffer.from(aad, 'utf8'));
    d.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    return Buffer.concat([d.update(Buffer.from(sealed.ct, 'base64')), d.final()]);
  } catch {
    throw new KefuError('FACE_TEMPLATE_TAMPERED', 'template record failed authentication (wrong key or modified record)');
  }
}
