// A listener that cannot bind says which config key and port, in one line with a code, instead of node's
// `listen EADDRINUSE: address already in use 0.0.0.0:1883`.
import { KefuError } from '../protocol/errors.js';

const CODES: Record<string, { code: string; field: 'port' | 'host'; why: string }> = {
  EADDRINUSE: { code: 'PORT_IN_USE', field: 'port', why: 'is in use by another process (a second master, another broker or web server): stop it or choose another port' },
  EACCES: { code: 'PORT_FORBIDDEN', field: 'port', why: 'needs privileges this process lacks (ports below 1024 need root or CAP_NET_BIND_SERVICE): choose another port' },
  EADDRNOTAVAIL: { code: 'ADDRESS_NOT_AVAILABLE', field: 'host', why: 'is not an address of this machine: choose another host' },
};

/** `key`: the config section of the listener (`broker.tcp`, `http`) */
export function listenError(err: unknown, key: string, host: string, port: number): unknown {
  const known = CODES[(err as NodeJS.ErrnoException | undefined)?.code ?? ''];
  if (!known) return err;
  return new KefuError(known.code, `${key}.${known.field}: ${host}:${port} ${known.why}`, { key: `${key}.${known.field}`, host, port });
}
