// An aedes broker behind TLS on loopback with a certificate from a fresh local CA (names include 127.0.0.1), for
// tests of how a box reaches a private-CA master. One box login is accepted: hall-01 / box-password.
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import tls from 'node:tls';
import { Aedes } from 'aedes';
import { ensureLocalTls } from '../../daemon/tls/local-ca.js';

export const TLS_BROKER_LOGIN = { username: 'hall-01', password: 'box-password' };

export async function startTlsBroker(t: { after(fn: () => unknown): void }, dir: string): Promise<{ port: number; ca: string }> {
  const paths = await ensureLocalTls(dir, { boxId: 'master' });
  const aedes = await Aedes.createBroker({
    authenticate: (_c, user, pass, done) => done(null, user === TLS_BROKER_LOGIN.username && pass?.toString() === TLS_BROKER_LOGIN.password),
  });
  const server = tls.createServer({ cert: await readFile(paths.cert), key: await readFile(paths.key) }, (s) => aedes.handle(s));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(async () => {
    server.close();
    await new Promise<void>((r) => aedes.close(() => r()));
  });
  return { port: (server.address() as { port: number }).port, ca: paths.caCert };
}
