// Review s7 leftovers #7: publicHost is the name boxes and browsers use; a certificate that does not name it makes
// them all refuse the master, which the master itself never sees. `kefu master run` now says so at start (a warn
// log line and a `warning:` line / `warnings` in its output), for every TLS section; a name or address it has is fine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { parseMasterConfig } from '../../master/config.js';
import { publicHostWarnings } from '../../master/config-files.js';
import { kefuRun, kefuSpawn } from '../helpers/kefu-cli.js';
import { tempDir } from '../helpers/tmp.js';
import { waitFor } from './master-fixtures.js';

const NO_ENV = { KEFU_MASTER_URL: '', KEFU_MASTER_TOKEN: '', KEFU_MASTER_DATA: '', KEFU_MASTER_CONFIG: '', KEFU_MASTER_CA: '' };

/** `kefu master run` until its first output line; then SIGTERM. Returns that line and its log. */
async function runOnce(t: { after(fn: () => unknown): void }, args: string[]) {
  const { proc, exited, out } = kefuSpawn(t, args, { ...NO_ENV, KEFU_LOG_LEVEL: 'info' });
  await waitFor(() => proc.exitCode !== null || /master running|^\{/m.test(out.stdout), 60_000, 'master run output');
  assert.equal(proc.exitCode, null, `master run: ${out.stdout} ${out.stderr.slice(-800)}`);
  await new Promise((r) => setTimeout(r, 200));
  proc.kill('SIGTERM');
  assert.equal(await exited, 0, out.stderr.slice(-800));
  return out;
}

test('kefu master run warns when a certificate does not name publicHost, for each TLS section', { timeout: 180_000 }, async (t) => {
  const dir = await tempDir(t, 'kefu-master-pubhost-');
  const made = await kefuRun(['--json', 'master', 'tls', '--host', 'master.example', '--host', '192.0.2.1', '--dir', join(dir, 'tls')], undefined, { env: NO_ENV });
  assert.equal(made.code, 0, made.stderr);
  const tls = JSON.parse(made.stdout) as { cert: string; key: string; caCert: string };
  const config = async (name: string, publicHost: string) => {
    const file = join(dir, `${name}.yaml`);
    await writeFile(file, stringify({
      dataDir: join(dir, `data-${name}`), publicHost,
      broker: { tcp: { host: '127.0.0.1', port: 0 }, tls: { host: '127.0.0.1', port: 0, cert: tls.cert, key: tls.key } },
      http: { host: '127.0.0.1', port: 0, tls: { cert: tls.cert, key: tls.key, ca: tls.caCert } },
    }));
    return file;
  };

  const wrong = await runOnce(t, ['--json', 'master', 'run', '--config', await config('wrong', 'other.example')]);
  const out = JSON.parse(wrong.stdout.split('\n')[0]) as { warnings: string[] };
  assert.equal(out.warnings.length, 2, out.warnings.join('\n'));
  assert.match(out.warnings[0], new RegExp(`^broker\\.tls\\.cert: ${tls.cert} does not name publicHost other\\.example \\(it names .*DNS:master\\.example.*\\): boxes and browsers .*\\(ERR_TLS_CERT_ALTNAME_INVALID\\).*kefu master tls --host other\\.example`));
  assert.match(out.warnings[1], /^http\.tls\.cert: /);
  const logged = wrong.stderr.split('\n').filter((l) => l.includes('does not name publicHost')).map((l) => JSON.parse(l) as { level: number });
  assert.deepEqual(logged.map((l) => l.level), [40, 40], 'one warn line per certificate');

  const human = await runOnce(t, ['master', 'run', '--config', await config('wrong-human', 'other.example')]);
  assert.match(human.stdout, /^warning: broker\.tls\.cert: .* does not name publicHost other\.example/m);

  // addresses are checked against the certificate's IP names
  const pem = await readFile(tls.cert);
  const certs = new Map([['broker.tls', { path: tls.cert, pem }]]);
  const base = { dataDir: dir };
  assert.deepEqual(publicHostWarnings(parseMasterConfig({ ...base, publicHost: 'master.example' }), certs), [], 'a name it has');
  assert.deepEqual(publicHostWarnings(parseMasterConfig({ ...base, publicHost: '192.0.2.1' }), certs), []);
  assert.equal(publicHostWarnings(parseMasterConfig({ ...base, publicHost: '198.51.100.77' }), certs).length, 1);
  assert.deepEqual(publicHostWarnings(parseMasterConfig(base), certs), [], 'no publicHost: nothing to compare');
});
