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
