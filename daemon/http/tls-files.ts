// The LAN server's certificate and key, read before anything listens: a missing or mismatched file is a config
// error naming its setting (`http.tls.cert: cannot read /etc/kefu/tls/box.crt (ENOENT)`), not a bare ENOENT.
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import { cannotRead, ConfigError } from '../../protocol/errors.js';

export async function loadHttpTls(tls: { cert: string; key: string }): Promise<{ cert: Buffer; key: Buffer }> {
  const issues: string[] = [];
  const read = (key: 'cert' | 'key') => readFile(tls[key]).catch((err: NodeJS.ErrnoException) => {
    issues.push(cannotRead(`http.tls.${key}`, tls[key], err));
    return undefined;
  });
  const [cert, key] = await Promise.all([read('cert'), read('key')]);
  if (!cert || !key) throw new ConfigError(issues);
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    // OpenSSL says which half it choked on only in its message: name both files
    throw new ConfigError([`http.tls: ${tls.cert} and ${tls.key} are not a usable certificate and private key (${(err as Error).message})`]);
  }
  return { cert, key };
}
