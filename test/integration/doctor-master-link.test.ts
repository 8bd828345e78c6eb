// Regression (review s7 #1, #17): `kefu doctor` opens the master link as the daemon does — CA from master.caFile,
// TLS settings, the wired link's source address — against a real TLS broker with a private CA; a missing, unreadable
// or invalid caFile is a failed check of its own naming the key and the path; an empty password file fails the
// credentials; a wired link that names nothing to check says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, chown, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { brokerAddress } from '../../daemon/broker-address.js';
import { loadBoxConfig } from '../../daemon/builtins.js';
import { doctorChecks } from '../../daemon/doctor/index.js';
import { runChecks, type CheckResult } from '../../daemon/doctor/check.js';
import { ensureLocalTls } from '../../daemon/tls/local-ca.js';
import { tempDir } from '../helpers/tmp.js';
import { startTlsBroker } from '../helpers/tls-broker.js';


test('doctor checks the master link with the daemon\'s CA, TLS options and source address', async (t) => {
  const dir = await tempDir(t, 'kefu-doctor-');
  const broker = await startTlsBroker(t, join(dir, 'master-tls'));
  const other = await ensureLocalTls(join(dir, 'other-ca'), { boxId: 'someone-else' });
  const secret = join(dir, 'box.secret');
  await writeFile(secret, 'box-password\n', { mode: 0o600 });
  const garbage = join(dir, 'garbage.crt');
  await writeFile(garbage, 'this is not a certificate\n');

  const doctor = async (name: string, master: Record<string, unknown>, transport: Record<string, unknown> = { localAddress: '127.0.0.1' }) => {
    const file = join(dir, `${name}.yaml`);
    await writeFile(file, stringify({
      box: { id: 'hall-01', region: 'dd' },
      master: { url: `mqtts://localhost:${broker.port}`, username: 'hall-01', passwordFile: secret, ...master },
      dataDir: join(dir, `data-${name}`), http: { host: '127.0.0.1', port: 0 },
      transports: [{ id: 'eth', kind: 'wired', ...transport }],
    }));
    const results = await runChecks(await doctorChecks(await loadBoxConfig(file)), 15_000);
    return (check: string): CheckResult => {
      const r = results.find((x) => x.name === check);
      assert.ok(r, `no ${check} line in ${JSON.stringify(results.map((x) => x.name))}`);
      return r;
    };
  };

  const good = await doctor('good', { caFile: broker.ca });
  assert.equal(good('broker').ok, true, JSON.stringify(good('broker')));
  assert.match(good('broker').detail, /^connected to mqtts:\/\/localhost:\d+ over eth \(from 127\.0\.0\.1\)/);
  assert.equal(good('master CA').ok, true);
  assert.match(good('master CA').detail, /1 certificate \(.*kefu hall CA master/);
  assert.equal(good('master credentials').ok, true);

  const missing = await doctor('missing', { caFile: join(dir, 'nope', 'ca.crt') });
  assert.equal(missing('master CA').ok, false);
  assert.equal(missing('master CA').detail, `master.caFile: cannot read ${join(dir, 'nope', 'ca.crt')} (ENOENT)`);
  assert.match(missing('master CA').fix ?? '', /CA certificate \(PEM\) at .*nope\/ca\.crt, or correct master\.caFile/);
  assert.equal(missing('broker').ok, false);
  assert.match(missing('broker').detail, /^not tried: .*master\.caFile/);

  const invalid = await doctor('invalid', { caFile: garbage });
  assert.equal(invalid('master CA').ok, false);
  assert.match(invalid('master CA').detail, new RegExp(`^master\\.caFile: ${garbage} is not a certificate in PEM or DER form`));

  // the daemon refuses the same file at start, by the same words (Node's TLS would silently ignore it)
  await assert.rejects(brokerAddress({ url: 'mqtts://localhost:8883', caFile: garbage, insecure: false, keepaliveSeconds: 5 }),
    { code: 'CONFIG_INVALID', message: invalid('master CA').detail });

  const wrongCa = await doctor('wrong-ca', { caFile: other.caCert });
  assert.equal(wrongCa('master CA').ok, true, 'a valid CA file, just not the master\'s');
  assert.equal(wrongCa('broker').ok, false);
  assert.match(wrongCa('broker').fix ?? '', /not signed by the CA in master\.caFile/);

  const noCa = await doctor('no-ca', {});
  assert.equal(noCa('broker').ok, false);
  assert.match(noCa('broker').fix ?? '', /private CA: set master\.caFile/);

  // the install's scheme, root:kefu 0640, is private; readable by every user, or by a group not the daemon's, is not
  await chmod(secret, 0o640);
  assert.equal((await doctor('group-own', { caFile: broker.ca }))('master credentials').ok, true);
  await chmod(secret, 0o644);
  const world = await doctor('world', { caFile: broker.ca });
  assert.equal(world('master credentials').ok, false);
  assert.match(world('master credentials').detail, /box\.secret is readable by every user/);
  if (process.getuid?.() === 0) {
    await chmod(secret, 0o640);
    await chown(secret, 0, (process.getgid?.() ?? 0) + 1);
    const other = await doctor('group-other', { caFile: broker.ca });
    assert.equal(other('master credentials').ok, false);
    assert.match(other('master credentials').fix ?? '', /chgrp kefu .*or chmod 600/);
  }
  await chmod(secret, 0o600);

  await writeFile(secret, '\n');
  const empty = await doctor('empty-password', { caFile: broker.ca }, {});
  assert.equal(empty('master credentials').ok, false);
  assert.match(empty('master credentials').detail, /master\.passwordFile: .*box\.secret is empty/);
  assert.match(empty('master credentials').fix ?? '', /kefu master box add hall-01 --region dd/);
  // a wired link that names neither interface nor source address: an honest line, not silence
  assert.equal(empty('eth: link').ok, true);
  assert.match(empty('eth: link').detail, /^not checked: no interface or localAddress set/);
  assert.match(empty('broker').detail, /refused the credentials|over eth \(default route/);
});
