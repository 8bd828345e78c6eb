// Regression (review s7 #17, #7): with a real `kefu start` running, doctor's http port line compares the port the
// config asks for (an environment override included) with the one the daemon listens on, and a second config on the
// same data folder is called out; `kefu start` with a missing TLS file fails with CONFIG_INVALID naming the key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { readFile } from 'node:fs/promises';
import type { DaemonStatus } from '../../daemon/status.js';
import { startBroker } from '../helpers/aedes-broker.js';
import { startDaemon, writeBoxConfig } from '../helpers/daemon-process.js';
import { kefuRun } from '../helpers/kefu-cli.js';
import { tempDir } from '../helpers/tmp.js';

type Report = { ok: boolean; checks: Array<{ name: string; ok: boolean; detail: string; fix?: string }> };
const line = (out: string, name: string) => {
  const r = (JSON.parse(out) as Report).checks.find((c) => c.name === name);
  assert.ok(r, `no ${name} line in ${out}`);
  return r;
};

test('doctor beside a running daemon: its port, another port, an env override, another box on the same data folder', async (t) => {
  const dir = await tempDir(t, 'kefu-doctor-run-');
  const broker = await startBroker();
  t.after(() => broker.stop());
  const file = await writeBoxConfig(dir, { box: 'hall-01', region: 'dd', url: `mqtt://127.0.0.1:${broker.port}`, password: 'pw' });
  const daemon = await startDaemon(file, join(dir, 'data'));
  t.after(() => daemon.stop());
  const port = Number(new URL((await daemon.control<DaemonStatus>('status')).httpUrl).port);

  // something else holds the port another config asks for
  const squatter = createServer();
  squatter.listen(0, '127.0.0.1');
  await once(squatter, 'listening');
  t.after(() => squatter.close());
  const taken = (squatter.address() as { port: number }).port;

  const [own, overridden, other] = await Promise.all([
    kefuRun(['doctor', '-c', file, '--json'], dir, { env: { KEFU__HTTP__PORT: String(port) } }),
    kefuRun(['doctor', '-c', file, '--json'], dir, { env: { KEFU__HTTP__PORT: String(taken) } }),
    (async () => {
      const second = join(dir, 'second.yaml');
      const cfg = parse(await readFile(file, 'utf8')) as Record<string, any>;
      cfg.box.id = 'hall-02';
      await writeFile(second, stringify(cfg));
      return kefuRun(['doctor', '-c', second, '--json'], dir);
    })(),
  ]);
  assert.equal(line(own.stdout, 'http port').ok, true, own.stdout);
  assert.match(line(own.stdout, 'http port').detail, new RegExp(`^port ${port} is the running daemon of box dd/hall-01's`));
  assert.equal(line(own.stdout, 'store').ok, true);

  const wrong = line(overridden.stdout, 'http port');
  assert.equal(wrong.ok, false, 'a port the daemon does not hold is tested, not waved through');
  assert.match(wrong.detail, new RegExp(`^port ${taken} on 127\\.0\\.0\\.1: EADDRINUSE \\(the running daemon of box dd/hall-01 listens on ${port}\\)`));
  assert.notEqual(overridden.code, 0);

  const store = line(other.stdout, 'store');
  assert.equal(store.ok, false);
  assert.match(store.detail, /in use by the running daemon of box dd\/hall-01, not hall-02/);
  assert.match(store.fix ?? '', /its own dataDir/);
});

test('kefu start with a missing TLS certificate fails with CONFIG_INVALID naming http.tls.cert and the path', async (t) => {
  const dir = await tempDir(t, 'kefu-start-tls-');
  const cert = join(dir, 'tls', 'box.crt');
  const key = join(dir, 'tls', 'box.key');
  const file = await writeBoxConfig(dir, { box: 'hall-01', region: 'dd', url: 'mqtt://127.0.0.1:1', password: 'pw',
    extra: { http: { host: '127.0.0.1', port: 0, tls: { cert, key } } } });
  const r = await kefuRun(['start', '-c', file], dir, { timeoutMs: 60_000 });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, new RegExp(`http\\.tls\\.cert: cannot read ${cert} \\(ENOENT\\)`), r.stderr);
  assert.match(r.stderr, new RegExp(`http\\.tls\\.key: cannot read ${key} \\(ENOENT\\)`), r.stderr);
  assert.match(r.stderr, /CONFIG_INVALID/);
  // and doctor says the same before anyone runs start
  const d = await kefuRun(['doctor', '-c', file, '--json'], dir);
  assert.equal(line(d.stdout, 'http.tls.cert').detail, `http.tls.cert: cannot read ${cert} (ENOENT)`);
});
