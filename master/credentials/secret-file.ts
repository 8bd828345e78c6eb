// Secrets live in files (mode 0600) referenced by path; they are read on demand and never logged.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConfigError } from '../../protocol/errors.js';

export async function readSecret(path: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (err) {
    throw new ConfigError([`${path}: cannot read secret file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`]);
  }
}

/** Writes a file atomically (temp file + rename) with owner-only permissions. */
export async function writePrivateFile(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, content, { mode: 0o600 });
  await rename(tmp, path);
}

/** Returns the secret in `path`, creating it with `generate()` the first time. */
export async function ensureSecretFile(path: string, generate: () => string): Promise<string> {
  try {
    const existing = (await readFile(path, 'utf8')).trim();
    if (existing) return existing;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const secret = generate();
  await writePrivateFile(path, `${secret}\n`);
  return secret;
}
