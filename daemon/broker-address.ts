// The broker the box talks to, from `master.url`; TLS is required on any link that is not loopback.
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../protocol/errors.js';
import type { BrokerAddress } from '../transports/transport.js';
import type { RootConfig } from './config/schema.js';

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|::1|\[::1\])$/;

export async function brokerAddress(master: RootConfig['master']): Promise<BrokerAddress> {
  const url = new URL(master.url);
  const tls = url.protocol === 'mqtts:' || url.protocol === 'tls:' || url.protocol === 'ssl:';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!tls && !LOOPBACK.test(host) && !master.insecure) {
    throw new ConfigError([`master.url: plain MQTT to ${host} would send credentials in clear; use mqtts:// (or set master.insecure: true on a trusted lab network)`]);
  }
  const port = Number(url.port) || (tls ? 8883 : 1883);
  if (!tls) return { host, port };
  const ca = master.caFile ? await readFile(master.caFile).catch(() => { throw new ConfigError([`master.caFile: cannot read ${master.caFile}`]); }) : undefined;
  return { host, port, tls: { ca, servername: host, rejectUnauthorized: true } };
}
