// The wired transport: source-address binding, TLS with the box's CA, interface carrier state; and the namespace
// harness's root check (it must fail with a clear message, never skip).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { tempDir } from '../helpers/tmp.js';
import { ensureLocalTls } from '../../daemon/tls/local-ca.js';
import { createWiredTransport, wiredDoctor } from '../../transports/wired/wired.js';
import { requireRoot } from '../sim/netns.js';
import { silentLogger } from '../../daemon/logger.js';

const ctx = { log: silentLogger(), dataDir: '/tmp', readSecret: async () => '' };

test('binds the configured source address', { timeout: 30_000 }, async (t) => {
  const server = net.createServer((s) => { s.end(s.remoteAddress ?? ''); });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => new Promise((r) => server.close(r)));
  const w = createWiredTransport(ctx, { id: 'eth', kind: 'wired', localAddress: '127.0.0.2', pollMs: 100, connectTimeoutMs: 3000 });
  await w.start(new AbortController().signal);
  t.after(() => w.stop());
  assert.equal(w.state.status, 'up');
  const s = await w.openStream({ host: '127.0.0.1', port: (server.address() as net.AddressInfo).port });
  const [data] = await once(s, 'data');
  assert.match(String(data), /127\.0\.0\.2$/);
});

test('TLS to the broker with the box CA; an unknown CA is refused', { timeout: 60_000 }, async (t) => {
  const dir = await tempDir(t, 'kefu-wired-tls-');
  const paths = await ensureLocalTls(dir, { boxId: 'wired-test' });
  const [cert, key, ca] = await Promise.all([readFile(paths.cert), readFile(paths.key), readFile(paths.caCert)]);
  const server = tls.createServer({ cert, key }, (s) => s.pipe(s));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => new Promise((r) => server.close(r)));
  const port = (server.address() as net.AddressInfo).port;
  const w = createWiredTransport(ctx, { id: 'eth', kind: 'wired', pollMs: 100, connectTimeoutMs: 3000 });
  await w.start(new AbortController().signal);
  t.after(() => w.stop());
  const s = await w.openStream({ host: '127.0.0.1', port, tls: { ca, servername: 'localhost' } });
  assert.ok((s as tls.TLSSocket).encrypted);
  s.write('ping');
  const [echo] = await once(s, 'data');
  assert.equal(String(echo), 'ping');
  s.destroy();
  await assert.rejects(w.openStream({ host: '127.0.0.1', port, tls: {} }), /self.signed|unable to verify|certificate/i);
});

test('interface state follows the carrier; a missing interface is down and refuses streams', { timeout: 30_000 }, async (t) => {
  const lo = createWiredTransport(ctx, { id: 'lo', kind: 'wired', interface: 'lo', localAddress: '127.0.0.1', pollMs: 50, connectTimeoutMs: 3000 });
  await lo.start(new AbortController().signal);
  t.after(() => lo.stop());
  assert.equal(lo.state.status, 'up');
  const gone = createWiredTransport(ctx, { id: 'x', kind: 'wired', interface: 'kefu-nope0', pollMs: 50, connectTimeoutMs: 3000 });
  await gone.start(new AbortController().signal);
  t.after(() => gone.stop());
  assert.equal(gone.state.status, 'down');
  assert.match(gone.state.reason ?? '', /kefu-nope0 missing/);
  await assert.rejects(gone.openStream({ host: '127.0.0.1', port: 1 }), (e: Error & { code?: string }) => e.code === 'LINK_DOWN');
  const [carrier] = wiredDoctor({ id: 'x', kind: 'wired', interface: 'kefu-nope0', pollMs: 50, connectTimeoutMs: 3000 });
  const r = await carrier.run(new AbortController().signal);
  assert.equal(r.ok, false);
  assert.match(r.fix ?? '', /ip link set kefu-nope0 up/);
});

test('namespace tests fail with a message naming root when not root', () => {
  const real = process.getuid;
  process.getuid = () => 1000;
  try {
    assert.throws(() => requireRoot('the namespace harness'), /needs root .*run the tests as root/);
  } finally {
    process.getuid = real;
  }
});
