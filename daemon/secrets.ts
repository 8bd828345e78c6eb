// Secrets are referenced by file and read on demand; their values never reach a log line.
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../protocol/errors.js';

/** `key` names the config setting that points at the file, so the error says what to fix. */
export async function readSecret(path: string, key?: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (err) {
    const issue = `secret file ${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`;
    throw new ConfigError([key ? `${key}: ${issue}` : issue], key ? `${key}: ${issue}` : issue);
  }
}
