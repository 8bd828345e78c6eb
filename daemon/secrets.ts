// Secrets are referenced by file and read on demand; their values never reach a log line.
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../protocol/errors.js';

export async function readSecret(path: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (err) {
    throw new ConfigError([`secret file ${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
}
