import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { ensureLocalTls } from '../../daemon/tls/local-ca.js';
import { tempDir } from '../helpers/tmp.js';

test('the hall CA signs a box certificate valid for localhost and the box addresses; keys are private', async (t) => {
  const dir = await tempDir(t);
  const tls = await ensureLocalTls(dir, { boxId: 'hall-01', altNames: ['DNS:hall-01.local'] });
  const ca = new X509Certificate(await readFile(tls.caCert));
  const box = new X509Certificate(await readFile(tls.cert));
  assert.ok(box.verify(ca.publicKey), 'box certificate is signed by the CA');
  assert.ok(ca.ca && !box.ca);
  assert.equal(box.checkHost('localhost'), 'localhost');
  assert.equal(box.checkHost('hall-01.local'), 'hall-01.local');
  assert.equal(box.checkIP('127.0.0.1'), '127.0.0.1');
  assert.equal((await stat(tls.key)).mode & 0o077, 0);
  // a second run keeps the CA (terminals already trust it) and renews the box certificate
  const again = await ensureLocalTls(dir, { boxId: 'hall-01' });
  assert.equal(new X509Certificate(await readFile(again.caCert)).fingerprint256, ca.fingerprint256);
});

test('a box with HTTPS serves its pages over TLS and offers the hall CA at /ca.crt', async (t) => {
  const { createHttpServer } = await import('../../daemon/http/server.js');
  const { silentLogger } = await import('../../daemon/logger.js');
  const { request } = await import('node:https');
  const dir = await tempDir(t);
  const tls = await ensureLocalTls(dir, { boxId: 'hall-01' });
  const http = await createHttpServer({ host: '127.0.0.1', port: 0, tls: { cert: tls.cert, key: tls.key }, bodyLimitBytes: 1e6, log: silentLogger() });
  t.after(() => http.close());
  const url = await http.listen();
  assert.match(url, /^https:/);
  const ca = await readFile(tls.caCert);
  const body = await new Promise<string>((resolve, reject) => {
    request(`${url}/ca.crt`, { ca, servername: 'localhost' }, (res) => {
      let b = '';
      res.on('data', (d) => { b += d; });
      res.on('end', () => resolve(b));
    }).on('error', reject).end();
  });
  assert.equal(body, ca.toString());
});
