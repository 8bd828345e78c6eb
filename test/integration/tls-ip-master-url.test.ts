// Review s7 leftovers #8: a box whose master.url is an IP address connects over TLS without Node's DEP0123
// warning ("Setting the TLS ServerName to an IP address is not permitted"): SNI is left out for an address, and the
// certificate is still checked against it (its IP names). Covers brokerAddress (daemon and doctor, wired link) and
// the cellular link's own TLS socket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import tls from 'node:tls';
import { stringify } from 'yaml';
import { brokerAddress } from '../../daemon/broker-address.js';
import { ensureLocalTls } from '../../daemon/tls/local-ca.js';
import { openBoundStream } from '../../transports/cellular/stream.js';
import { kefuRun } from '../helpers/kefu-cli.js';
import { tempDir } from '../helpers/tmp.js';
import { startTlsBroker } from '../helpers/tls-broker.js';

const IP_SNI = /ServerName to an IP address|DEP0123/;


test('master.url with an IP: no SNI (no DEP0123 warning) and the certificate is checked against the address', { timeout: 90_000 }, async (t) => {
  const dir = await tempDir(t, 'kefu-tls-ip-');
  const broker = await startTlsBroker(t, join(dir, 'master-tls'));
  const url = `mqtts://127.0.0.1:${broker.port}`;

  const address = await brokerAddress({ url, caFile: broker.ca } as Parameters<typeof brokerAddress>[0]);
  assert.equal(address.tls?.servername, undefined, 'no SNI for an address');
  const named = await brokerAddress({ url: `mqtts://localhost:${broker.port}`, caFile: broker.ca } as Parameters<typeof brokerAddress>[0]);
  assert.equal(named.tls?.servername, 'localhost', 'a host name is still sent');

  // the cellular link's socket, in this process: Node emits the warning on the first such connect
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(`${(w as { code?: string }).code ?? ''} ${w.message}`);
  process.on('warning', onWarning);
  t.after(() => { process.off('warning', onWarning); });
  const stream = await openBoundStream(address, undefined, '127.0.0.1', 10_000);
  assert.equal((stream as tls.TLSSocket).authorized, true, 'the certificate was checked and accepted for 127.0.0.1');
  stream.destroy();
  // a certificate without that address is refused: the check did not go away with SNI
  const other = await ensureLocalTls(join(dir, 'other'), { boxId: 'x' });
  const wrongCa = await brokerAddress({ url, caFile: other.caCert } as Parameters<typeof brokerAddress>[0]);
  await assert.rejects(openBoundStream(wrongCa, undefined, '127.0.0.1', 10_000), /CONNECT_FAILED|certificate/);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(warnings.filter((w) => IP_SNI.test(w)), []);

  // the real CLI: `kefu doctor` opens the master link as the daemon does (wired link, brokerAddress)
  const secret = join(dir, 'box.secret');
  await writeFile(secret, 'box-password\n', { mode: 0o600 });
  const file = join(dir, 'kefu.yaml');
  await writeFile(file, stringify({
    box: { id: 'hall-01', region: 'dd' },
    master: { url, username: 'hall-01', passwordFile: secret, caFile: broker.ca },
    dataDir: join(dir, 'data'), http: { host: '127.0.0.1', port: 0 },
    transports: [{ id: 'eth', kind: 'wired', localAddress: '127.0.0.1' }],
  }));
  const r = await kefuRun(['--json', 'doctor', '-c', file]);
  const checks = (JSON.parse(r.stdout) as { checks: Array<{ name: string; ok: boolean; detail: string }> }).checks;
  const line = checks.find((c) => c.name === 'broker');
  assert.ok(line?.ok, `broker check: ${JSON.stringify(line)}`);
  assert.doesNotMatch(r.stderr, IP_SNI);
});
