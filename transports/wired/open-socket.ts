// A TCP or TLS socket to the broker, bound to a source address so the kernel's policy routing picks the link.
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { TransportError } from '../../protocol/errors.js';
import type { BrokerAddress } from '../transport.js';

export interface OpenSocketOptions { localAddress?: string; timeoutMs?: number; signal?: AbortSignal }

export function openSocket(target: BrokerAddress, o: OpenSocketOptions = {}): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const base = { host: target.host, port: target.port, ...(o.localAddress ? { localAddress: o.localAddress } : {}) };
    const sock: net.Socket = target.tls
      ? tls.connect({ ...base, ...target.tls, servername: target.tls.servername ?? (net.isIP(target.host) ? undefined : target.host) })
      : net.connect(base);
    const ready = target.tls ? 'secureConnect' : 'connect';
    let timer: NodeJS.Timeout | null = null;
    const done = (err?: Error) => {
      if (timer) clearTimeout(timer);
      sock.removeListener(ready, onReady);
      sock.removeListener('error', onError);
      o.signal?.removeEventListener('abort', onAbort);
      if (err) { sock.destroy(); reject(err); } else resolve(sock);
    };
    const onReady = () => { sock.setNoDelay(true); done(); };
    const onError = (err: Error) => done(err);
    const onAbort = () => done(new TransportError('ABORTED', 'connect aborted'));
    sock.once(ready, onReady);
    sock.once('error', onError);
    o.signal?.addEventListener('abort', onAbort, { once: true });
    if (o.timeoutMs) timer = setTimeout(() => done(Object.assign(new TransportError('CONNECT_TIMEOUT', `connect to ${target.host}:${target.port} timed out`), { errno: 'ETIMEDOUT' })), o.timeoutMs);
  });
}
