// A hall-local certificate authority for the box's HTTPS: terminals need a secure context for the camera,
// and trusting one CA certificate once per terminal beats clicking through warnings every day.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { networkInterfaces, hostname } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KefuError } from '../../protocol/errors.js';

const run = promisify(execFile);

export interface LocalTls { caCert: string; caKey: string; cert: string; key: string }

/** Every name and address a terminal might use to reach this box. */
export function boxSubjectAltNames(extra: string[] = []): string[] {
  const ips = Object.values(networkInterfaces()).flat().filter((a) => a && !a.internal && a.family === 'IPv4').map((a) => a!.address);
  return [...new Set([`DNS:${hostname()}`, 'DNS:localhost', 'IP:127.0.0.1', ...ips.map((ip) => `IP:${ip}`), ...extra])];
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args, { timeout: 30_000 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new KefuError('TLS_NO_OPENSSL', 'openssl is not installed (apt-get install openssl)');
    throw new KefuError('TLS_OPENSSL_FAILED', `openssl ${args[0]} failed: ${(e.stderr ?? e.message).trim().split('\n')[0]}`);
  }
}

/**
 * Creates the CA (once) and a fresh box certificate signed by it, in `dir`. Keys are written 0600.
 * The master uses the same CA tooling for its broker/HTTP certificate: `name` names the files (`{name}.crt`,
 * default `box`) and `caName` the CA's common name (default `kefu hall CA {boxId}`).
 */
export async function ensureLocalTls(dir: string, opts: { boxId: string; altNames?: string[]; days?: number; name?: string; caName?: string }): Promise<LocalTls> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const name = opts.name ?? 'box';
  const p: LocalTls = { caCert: join(dir, 'ca.crt'), caKey: join(dir, 'ca.key'), cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  if (!existsSync(p.caCert) || !existsSync(p.caKey)) {
    await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', p.caKey,
      '-out', p.caCert, '-days', '3650', '-subj', `/O=kefu-edge/CN=${opts.caName ?? `kefu hall CA ${opts.boxId}`}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  }
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  await openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', p.key, '-out', csr, '-subj', `/O=kefu-edge/CN=${opts.boxId}`]);
  await writeFile(ext, `subjectAltName=${boxSubjectAltNames(opts.altNames).join(',')}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n`);
  await openssl(['x509', '-req', '-in', csr, '-CA', p.caCert, '-CAkey', p.caKey, '-CAcreateserial', '-out', p.cert, '-days', String(opts.days ?? 825), '-extfile', ext]);
  await run('chmod', ['600', p.caKey, p.key]);
  return p;
}
