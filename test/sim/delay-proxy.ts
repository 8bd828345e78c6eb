// A TCP proxy that delays every chunk (netem is not available), and can black-hole or reset its links.
// Runs in-process in tests, or as a child (`node --import tsx test/sim/delay-proxy.ts <listenHost> <targetHost:port> <delayMs>`)
// inside the master namespace; the child prints its port and takes `delay <ms>` / `mode <m>` lines on stdin.
import net from 'node:net';
import { once } from 'node:events';

export type ProxyMode = 'pass' | 'blackhole' | 'reset';

export interface DelayProxy {
  port: number;
  setDelay(ms: number): void;
  setMode(mode: ProxyMode): void;
  close(): Promise<void>;
}

export async function createDelayProxy(o: { listenHost?: string; listenPort?: number; target: { host: string; port: number }; delayMs?: number }): Promise<DelayProxy> {
  let delay = o.delayMs ?? 0;
  let mode: ProxyMode = 'pass';
  const sockets = new Set<net.Socket>();
  const forward = (from: net.Socket, to: net.Socket) => {
    from.on('data', (chunk) => {
      if (mode === 'blackhole') return;
      // order is kept because every chunk waits the same time
      if (delay > 0) setTimeout(() => { if (!to.destroyed) to.write(chunk); }, delay);
      else to.write(chunk);
    });
    from.on('end', () => setTimeout(() => to.end(), delay));
    from.on('error', () => to.destroy());
    from.on('close', () => to.destroy());
  };
  const server = net.createServer((client) => {
    if (mode !== 'pass') { client.resetAndDestroy(); return; }
    const upstream = net.connect(o.target.port, o.target.host);
    for (const s of [client, upstream]) { sockets.add(s); s.on('close', () => sockets.delete(s)); s.setNoDelay(true); }
    forward(client, upstream);
    forward(upstream, client);
  });
  server.listen(o.listenPort ?? 0, o.listenHost ?? '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    setDelay(ms) { delay = ms; },
    setMode(m) {
      mode = m;
      if (m === 'reset') for (const s of sockets) s.resetAndDestroy();
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((res) => server.close(() => res()));
    },
  };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '\0') && process.argv.length >= 5) {
  const [listenHost, target, delayArg] = process.argv.slice(2);
  const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  const proxy = await createDelayProxy({ listenHost, target: { host, port }, delayMs: Number(delayArg) });
  process.stdout.write(`${proxy.port}\n`);
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (line: string) => {
    for (const l of line.split('\n')) {
      const [cmd, arg] = l.trim().split(/\s+/);
      if (cmd === 'delay') proxy.setDelay(Number(arg));
      if (cmd === 'mode') proxy.setMode(arg as ProxyMode);
    }
  });
  process.stdin.on('end', () => void proxy.close().then(() => process.exit(0)));
}
