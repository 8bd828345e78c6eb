// openStream for the cellular link: a TCP (or TLS) socket bound to the modem netdev's IPv4 address, so the
// traffic leaves through the modem whatever the default route says.
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import { connect as tlsConnect } from 'node:tls';
import type { Duplex } from 'node:stream';
import { TransportError } from '../../protocol/errors.js';
import type { BrokerAddress } from '../transport.js';

export function netdevIpv4(netdev: string): string | null {
  const addrs = networkInterfaces()[netdev] ?? [];
  return addrs.find((a) => a.family === 'IPv4')?.address ?? null;
}

export async function openBoundStream(target: BrokerAddress, netdev: string | undefined, modemIpv4: string | null, timeoutMs = 15_000): Promise<Duplex> {
  const localAddress = netdev ? netdevIpv4(netdev) : modemIpv4;
  if (!localAddress) {
    throw new TransportError('NETDEV_NO_ADDRESS', netdev ? `network device ${netdev} has no IPv4 address (is the data call up?)` : 'no netdev configured and the modem reported no address');
  }
  const sock: Socket = netConnect({ host: target.host, port: target.port, localAddress });
  const stream: Duplex = target.tls
    ? tlsConnect({ socket: sock, host: target.host, servername: target.tls.servername ?? (isIP(target.host) ? undefined : target.host), ca: target.tls.ca, cert: target.tls.cert, key: target.tls.key, rejectUnauthorized: target.tls.rejectUnauthorized ?? true })
    : sock;
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => { stream.destroy(); reject(new TransportError('CONNECT_TIMEOUT', `connect to ${target.host}:${target.port} via ${localAddress} timed out`)); }, timeoutMs);
    stream.once(target.tls ? 'secureConnect' : 'connect', () => { clearTimeout(t); resolve(); });
    stream.once('error', (e) => { clearTimeout(t); reject(new TransportError('CONNECT_FAILED', `connect to ${target.host}:${target.port} via ${localAddress}: ${e.message}`)); });
  });
  return stream;
}
