// The TransportManager tests' rig: an aedes broker on loopback behind one delay proxy per link id (the fake
// transports open their streams through the proxies), and a cleanup list run in reverse after the test.
import type { TestContext } from 'node:test';
import net from 'node:net';
import { once } from 'node:events';
import { Aedes } from 'aedes';
import { createDelayProxy, type DelayProxy } from '../sim/delay-proxy.js';

export async function startLinkRig(t: TestContext, linkIds: string[]) {
  const cleanup: Array<() => unknown> = [];
  t.after(async () => { for (const f of cleanup.reverse()) { try { await f(); } catch { /* keep going */ } } });
  const broker = await Aedes.createBroker();
  const server = net.createServer(broker.handle);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanup.push(async () => { await new Promise((r) => server.close(r)); await new Promise<void>((r) => broker.close(() => r())); });
  const port = (server.address() as net.AddressInfo).port;
  const proxies: Record<string, DelayProxy> = {};
  for (const id of linkIds) { proxies[id] = await createDelayProxy({ target: { host: '127.0.0.1', port } }); cleanup.push(() => proxies[id].close()); }
  return { broker, port, proxies, cleanup };
}
