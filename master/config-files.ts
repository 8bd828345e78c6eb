// The files a master config names (certificates, keys, CA bundles, secrets), checked before anything starts, so a
// missing one is a CONFIG_INVALID naming its key (`broker.tls.cert: cannot read …`), all problems at once.
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import { cannotRead, ConfigError } from '../protocol/errors.js';
import type { MasterConfig } from './config.js';

interface Named { key: string; path: string }

/** Every file the config names, with the key that names it. */
export function configFiles(config: MasterConfig): Named[] {
  const out: Named[] = [];
  const add = (key: string, path: string | undefined) => { if (path) out.push({ key, path }); };
  if (!config.external) {
    add('broker.tls.cert', config.broker.tls?.cert);
    add('broker.tls.key', config.broker.tls?.key);
    add('broker.ws.tls.cert', config.broker.ws?.tls?.cert);
    add('broker.ws.tls.key', config.broker.ws?.tls?.key);
  } else {
    add('external.caFile', config.external.caFile);
    add('external.passwordFile', config.external.passwordFile);
  }
  add('http.tls.cert', config.http.tls?.cert);
  add('http.tls.key', config.http.tls?.key);
  add('http.tls.ca', config.http.tls?.ca);
  return out;
}

async function read(f: Named, problems: string[]): Promise<Buffer | null> {
  try {
    return await readFile(f.path);
  } catch (err) {
    problems.push(cannotRead(f.key, f.path, err));
    return null;
  }
}

/** Reads every named file; a cert/key pair that TLS cannot use (not PEM, key of another cert) is reported with its section. */
export async function checkConfigFiles(config: MasterConfig): Promise<void> {
  const problems: string[] = [];
  const files = configFiles(config);
  const contents = new Map<string, Buffer | null>();
  for (const f of files) contents.set(f.key, await read(f, problems));
  for (const section of ['broker.tls', 'broker.ws.tls', 'http.tls']) {
    const cert = contents.get(`${section}.cert`);
    const key = contents.get(`${section}.key`);
    if (!cert || !key) continue;
    try {
      createSecureContext({ cert, key });
    } catch (err) {
      problems.push(`${section}: the certificate and key cannot be used together (${(err as Error).message})`);
    }
  }
  if (problems.length) throw new ConfigError(problems);
}
