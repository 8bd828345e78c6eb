// Two daemons started with one box's id and password: each connect takes the session from the other. The master
// names the fight in its log; one takeover (a box failing over before its old link timed out) is no fight.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import mqtt from 'mqtt';
import { createEmbeddedBroker } from '../../master/broker/embedded-broker.js';
import { EmbeddedBrokerConfig } from '../../master/broker/broker-config.js';
import { createCredentialStore } from '../../master/credentials/credential-store.js';
import { createLogger } from '../../daemon/logger.js';
import { createTakeoverWatch } from '../../master/broker/takeover-watch.js';
import { waitFor } from '../helpers/aedes-broker.js';
import { tempDir } from '../helpers/tmp.js';
import { BOX, openBox } from '../helpers/box-link.js';

function capturedLog() {
  const lines: Array<Record<string, unknown>> = [];
  const out = new PassThrough();
  out.on('data', (b: Buffer) => { for (const l of b.toString().split('\n')) if (l) lines.push(JSON.parse(l)); });
  return { log: createLogger({ level: 'warn', destination: out }), lines };
}

test('one box id used by two clients at once: the takeovers are counted and the fight is logged once', async (t) => {
  const dir = await tempDir(t);
  const store = createCredentialStore({ dataDir: dir });
  const { password } = await store.addBox('hall-01', 'dandong');
  const { log, lines } = capturedLog();
  const broker = createEmbeddedBroker({
    config: EmbeddedBrokerConfig.parse({ tcp: { host: '127.0.0.1', port: 0 }, connectRate: { perWindow: 1000, windowMs: 1000 } }),
    credentials: store, log,
  });
  const { tcp } = await broker.start();
  t.after(() => broker.stop());
  const url = `mqtt://127.0.0.1:${tcp!.port}`;
  const connect = () => mqtt.connectAsync(url, { clientId: 'hall-01', username: 'hall-01', password, reconnectPeriod: 0 });

  const first = await connect();
  t.after(() => first.end(true));
  const second = await connect(); // a failover: the old session is taken over once
  t.after(() => second.end(true));
  await waitFor(() => broker.counters.takeovers === 1, 5000, 'one takeover counted');
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(lines.filter((l) => /second daemon/.test(String(l.msg))).length, 0, 'one takeover is no fight');

  for (let i = 0; i < 4; i++) { const c = await connect(); t.after(() => c.end(true)); }
  await waitFor(() => broker.counters.takeovers === 5, 5000, 'five takeovers counted');
  await waitFor(() => lines.some((l) => /second daemon/.test(String(l.msg))), 5000, 'the fight logged');
  const warned = lines.filter((l) => /second daemon/.test(String(l.msg)));
  assert.equal(warned.length, 1, 'once a minute at most');
  assert.equal(warned[0].clientId, 'hall-01');
  assert.deepEqual(warned[0].addresses, ['127.0.0.1']);
});

test('two boxes started with one id: each names the fight in its own log, the master in its', async (t) => {
  const dir = await tempDir(t);
  const store = createCredentialStore({ dataDir: dir });
  const { password } = await store.addBox(BOX.box, BOX.region);
  const master = capturedLog();
  const broker = createEmbeddedBroker({
    config: EmbeddedBrokerConfig.parse({ tcp: { host: '127.0.0.1', port: 0 }, connectRate: { perWindow: 1000, windowMs: 1000 } }),
    credentials: store, log: master.log,
  });
  const { tcp } = await broker.start();
  t.after(() => broker.stop());
  const boxLogs = [capturedLog(), capturedLog()];
  const boxes = await Promise.all(boxLogs.map(async ({ log }) => openBox({
    dir: await tempDir(t), port: () => tcp!.port, log, uplink: { username: BOX.box, password, reconnectPeriodMs: 100 },
  })));
  t.after(() => Promise.all(boxes.map((b) => b.close())));
  for (const b of boxes) b.uplink.start();
  const fight = (l: Record<string, unknown>) => /another daemon running with this box id/.test(String(l.msg));
  await waitFor(() => boxLogs.some((b) => b.lines.some(fight)), 20_000, 'a box names the fight');
  await waitFor(() => master.lines.some((l) => /second daemon/.test(String(l.msg))), 20_000, 'the master names it');
  assert.equal(boxLogs.find((b) => b.lines.some(fight))!.lines.filter(fight)[0].clientId, BOX.box);
});

test('takeovers spread over more than the window are no fight', () => {
  let now = 0;
  const warnings: unknown[] = [];
  const log = { warn: (...a: unknown[]) => warnings.push(a) } as never;
  const watch = createTakeoverWatch({ log, windowMs: 60_000, threshold: 3, now: () => now });
  for (let i = 0; i < 5; i++) { watch.takeover('hall-01', 'a', 'b'); now += 40_000; }
  assert.equal(warnings.length, 0);
  for (let i = 0; i < 3; i++) { watch.takeover('hall-02', 'a', 'b'); now += 1_000; }
  assert.equal(warnings.length, 1);
  assert.equal(watch.total, 8);
});
