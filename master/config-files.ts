// The files a master config names (certificates, keys, CA bundles, secrets), checked before anything starts, so a
// missing one is a CONFIG_INVALID naming its key (`broker.tls.cert: cannot read …`), all problems at once.
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
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

const TLS_SECTIONS = ['broker.tls', 'broker.ws.tls', 'http.tls'] as const;

/**
 * publicHost is the name boxes and browsers use: a certificate that does not name it makes every one of them refuse
 * the connection (ERR_TLS_CERT_ALTNAME_INVALID), which the master itself never sees. One line per certificate.
 */
export function publicHostWarnings(config: MasterConfig, certs: Map<string, { path: string; pem: Buffer }>): string[] {
  const host = config.publicHost?.replace(/^\[|\]$/g, '');
  if (!host) return [];
  const out: string[] = [];
  for (const [section, { path, pem }] of certs) {
    let cert: X509Certificate;
    try { cert = new X509Certificate(pem); } catch { continue; } // createSecureContext already said what is wrong
    const covered = isIP(host) ? cert.checkIP(host) : cert.checkHost(host);
    if (covered) continue;
    out.push(`${section}.cert: ${path} does not name publicHost ${host} (it names ${cert.subjectAltName ?? cert.subject.replace(/\n/g, ', ')}): `
      + `boxes and browsers that connect to ${host} will refuse it (ERR_TLS_CERT_ALTNAME_INVALID); make it again with \`kefu master tls --host ${host} …\`, or set publicHost to one of its names`);
  }
  return out;
}

/**
 * Reads every named file; a cert/key pair that TLS cannot use (not PEM, key of another cert) is reported with its
 * section. Returns warnings that do not stop the master (a certificate that does not name publicHost).
 */
export async function checkConfigFiles(config: MasterConfig): Promise<string[]> {
  const problems: string[] = [];
  const files = configFiles(config);
  const contents = new Map<string, Buffer | null>();
  for (const f of files) contents.set(f.key, await read(f, problems));
  const usable = new Map<string, { path: string; pem: Buffer }>();
  for (const section of TLS_SECTIONS) {
    const cert = contents.get(`${section}.cert`);
    const key = contents.get(`${section}.key`);
    if (!cert || !key) continue;
    try {
      createSecureContext({ cert, key });
      usable.set(section, { path: files.find((f) => f.key === `${section}.cert`)!.path, pem: cert });
    } catch (err) {
      problems.push(`${section}: the certificate and key cannot be used together (${(err as Error).message})`);
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return publicHostWarnings(config, usable);
}
