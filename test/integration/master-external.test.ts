// External-broker mode against a real Mosquitto whose password file and ACL come from `kefu master acl
// --mosquitto`: the master logic works the same as with the embedded broker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createCredentialStore, createMaster, mosquittoAcl, type Master } from '../../master/index.js';
import { ensureServiceCredential } from '../../master/credentials/credential-store.js';
import { PROTOCOL_VERSION } from '../../protocol/schemas.js';
import { boxSubscriptions, topics } from '../../protocol/topics.js';
import { tempDir } from '../helpers/tmp.js';
import { startMosquitto, type MosquittoBroker } from '../sim/mosquitto.js';
import { birth, connectBox, waitFor, waitForBox } from './master-fixtures.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const hall1 = { region: 'dandong', box: 'hall-01' };
const hall2 = { region: 'dandong', box: 'hall-02' };

/** Provisions boxes and exports the policy (with the CLI, or with the same APIs in-process), starts Mosquitto with it. */
async function setup(t: { after(fn: () => unknown): void }, viaCli: boolean) {
  const dataDir = await tempDir(t, 'kefu-master-ext-');
  const cli = async (...args: string[]) => JSON.parse((await run(process.execPath, [`${ROOT}cli/bin.js`, '--json', ...args], { timeout: 60_000 })).stdout);
  const store = createCredentialStore({ dataDir });
  const passwords: Record<string, string> = {};
  // one box through the CLI is enough to prove the CLI path; the other through the same store API (faster)
  passwords[hall1.box] = viaCli ? (await cli('master', 'box', 'add', hall1.box, '--region', hall1.region, '--data', dataDir)).password : (await store.addBox(hall1.box, hall1.region)).password;
  passwords[hall2.box] = (await store.addBox(hall2.box, hall2.region)).password;
  if (!viaCli) await ensureServiceCredential(store, `${dataDir}/service.secret`, 'kefu-master');
  const exported: { acl: string; passwordLines: string[] } = viaCli ? await cli('master', 'acl', '--mosquitto', '--data', dataDir)
    : { acl: mosquittoAcl(await store.principals()), passwordLines: await store.mosquittoPasswordLines() };
  const mosq = await startMosquitto({ acl: exported.acl, passwordLines: exported.passwordLines });
  t.after(() => mosq.stop());
  return { dataDir, passwords, mosq };
}

async function startExternalMaster(t: { after(fn: () => unknown): void }, dataDir: string, mosq: MosquittoBroker, extra: Record<string, unknown> = {}): Promise<Master> {
  const m = createMaster({ dataDir, external: { url: mosq.url, ...extra }, http: { host: '127.0.0.1', port: 0 }, commands: { defaultTimeoutMs: 5000 } });
  t.after(() => m.stop());
  await m.start();
  return m;
}

test('external Mosquitto: birth, LWT, events with dedupe, a command round trip, and the ACL keeps a box in its root', async (t) => {
  const { dataDir, passwords, mosq } = await setup(t, true);
  const m = await startExternalMaster(t, dataDir, mosq);
  assert.equal(m.stats().broker, null, 'no embedded broker in external mode');

  const box = await connectBox(t, mosq.url, hall1, passwords['hall-01'], { keepalive: 5 });
  box.on('message', (topic, payload) => {
    const { id, args } = JSON.parse(String(payload));
    void box.publishAsync(topics.result(hall1, id), JSON.stringify({ v: PROTOCOL_VERSION, id, ok: true, result: args }), { qos: 1 });
  });
  await box.subscribeAsync(boxSubscriptions(hall1), { qos: 1 });
  await box.publishAsync(topics.state(hall1), JSON.stringify(birth()), { qos: 1, retain: true });
  await waitForBox(m, 'hall-01', (b) => b.online, 'online via Mosquitto');

  for (const id of ['a', 'b', 'a']) await box.publishAsync(topics.event(hall1, 'chat', 'message'), JSON.stringify({ v: 1, id, seq: 1, ts: Date.now(), data: {} }), { qos: 1 });
  await waitFor(() => m.stats().ingest.events === 2 && m.stats().ingest.duplicates === 1, 8000, 'events deduped');

  const res = await m.commands.send('hall-01', 'system.echo', { n: 42 });
  assert.deepEqual(res.result, { n: 42 });

  // hall-02 forges hall-01's state: Mosquitto drops it by the generated ACL, the master never sees it
  const intruder = await connectBox(t, mosq.url, hall2, passwords['hall-02']);
  await intruder.publishAsync(topics.state(hall1), JSON.stringify({ v: 1, online: false, ts: Date.now() }), { qos: 1, retain: true });
  await intruder.publishAsync(topics.telemetry(hall2, 'marker'), JSON.stringify({ v: 1, ts: 1, data: {} }), { qos: 1 });
  await waitFor(() => m.telemetry.latest('hall-02').marker, 8000, 'marker after the forged state');
  assert.equal(m.registry.get('hall-01')?.online, true);

  box.stream.destroy();
  await waitForBox(m, 'hall-01', (b) => !b.online, 'LWT via Mosquitto');
});

test('external Mosquitto with MQTT 5 shared subscriptions: two master workers split events, both keep the whole fleet', async (t) => {
  const { dataDir, passwords, mosq } = await setup(t, false);
  const a = await startExternalMaster(t, dataDir, mosq, { sharedSubscriptions: true, workerId: 'a' });
  // the second worker shares the credentials, not the data dir (its own event store)
  const dataB = await tempDir(t, 'kefu-master-ext-b-');
  const b = createMaster({ dataDir: dataB, external: { url: mosq.url, passwordFile: `${dataDir}/service.secret`, sharedSubscriptions: true, workerId: 'b' }, http: { host: '127.0.0.1', port: 0 } });
  t.after(() => b.stop());
  await b.start();

  const box = await connectBox(t, mosq.url, hall1, passwords['hall-01']);
  await box.publishAsync(topics.state(hall1), JSON.stringify(birth()), { qos: 1, retain: true });
  await waitForBox(a, 'hall-01', (x) => x.online, 'worker a sees the box');
  await waitForBox(b, 'hall-01', (x) => x.online, 'worker b sees the box');
  const n = 40;
  for (let i = 0; i < n; i++) await box.publishAsync(topics.event(hall1, 'chat', 'message'), JSON.stringify({ v: 1, id: `e${i}`, seq: i, ts: Date.now(), data: {} }), { qos: 1 });
  await waitFor(() => a.stats().ingest.events + b.stats().ingest.events === n, 10_000, 'all events ingested once across the workers');
  assert.ok(a.stats().ingest.events > 0 && b.stats().ingest.events > 0, `both workers got a share (${a.stats().ingest.events}/${b.stats().ingest.events})`);
  assert.equal(await createCredentialStore({ dataDir }).listBoxes().then((l) => l.length), 2);
});
