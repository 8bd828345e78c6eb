// The broker the box talks to, from `master.url`; TLS is required on any link that is not loopback. The daemon and
// `kefu doctor` both build their connection from here, so the doctor tests what the daemon will do.
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { cannotRead, ConfigError } from '../protocol/errors.js';
import type { BrokerAddress } from '../transports/transport.js';
import type { RootConfig } from './config/schema.js';

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|::1|\[::1\])$/;
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * The certificates of `master.caFile`. Node's TLS silently ignores a CA option that holds no certificate, which
 * would turn a wrong file into "unable to verify the first certificate" at every connect: refuse it here, by name.
 */
export async function readCaFile(file: string, key = 'master.caFile'): Promise<{ ca: Buffer; certs: X509Certificate[] }> {
  const refuse = (issue: string) => new ConfigError([issue], issue);
  let ca: Buffer;
  try {
    ca = await readFile(file);
  } catch (err) {
    throw refuse(cannotRead(key, file, err));
  }
  const blocks = ca.toString('latin1').match(PEM_BLOCK);
  try {
    const certs = blocks ? blocks.map((b) => new X509Certificate(b)) : [new X509Certificate(ca)];
    return { ca, certs };
  } catch (err) {
    throw refuse(`${key}: ${file} is not a certificate in PEM or DER form (${(err as Error).message})`);
  }
}

export async function brokerAddress(master: RootConfig['master']): Promise<BrokerAddress> {
  const url = new URL(master.url);
  const tls = url.protocol === 'mqtts:' || url.protocol === 'tls:' || url.protocol === 'ssl:';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!tls && !LOOPBACK.test(host) && !master.insecure) {
    throw new ConfigError([`master.url: plain MQTT to ${host} would send credentials in clear; use mqtts:// (or set master.insecure: true on a trusted lab network)`]);
  }
  const port = Number(url.port) || (tls ? 8883 : 1883);
  if (!tls) return { host, port };
  const ca = master.caFile ? (await readCaFile(master.caFile)).ca : undefined;
  // SNI carries host names only (RFC 6066): Node warns (DEP0123) on an address; the certificate is still checked
  // against the address, which must be one of its IP names
  return { host, port, tls: { ca, ...(isIP(host) ? {} : { servername: host }), rejectUnauthorized: true } };
}
