// Ingestion: registry from retained birth + LWT, event dedupe, telemetry, cfg/reported, bad payloads counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { topics } from '../../protocol/topics.js';
import { createCredentialStore, createMaster } from '../../master/index.js';
import { tempDir } from '../helpers/tmp.js';
import { birth, connectBox, startMaster, waitFor, waitForBox } from './master-fixtures.js';

const hall1 = { region: 'dandong', box: 'hall-01' };
const env = (id: string, seq: number, data: unknown = {}) => JSON.stringify({ v: 1, id, seq, ts: Date.now(), data });

test('a retained birth makes a box online (also for a master started later); an abrupt drop makes it offline by LWT', async (t) => {
  const dataDir = await tempDir(t);
  const { password } = await createCredentialStore({ dataDir }).addBox('hall-01', 'dandong'); // `kefu master box add` before the start
  const m = await startMaster(t, { dataDir });
  assert.deepEqual({ ...m.registry.get('hall-01'), lastSeen: m.registry.get('hall-01')?.lastSeen }, { id: 'hall-01', region: 'dandong', online: false, version: null, transport: null, lastTransport: null, plugins: {}, lastSeen: null, connectedSince: null, cfgReported: null }, 'known from the credentials, never seen');
  const box = await connectBox(t, m.urls.mqtt!, hall1, password, { keepalive: 5 });
  await box.publishAsync(topics.state(hall1), JSON.stringify(birth({ version: '1.2.3', plugins: { chat: 'running', video: 'failed' } })), { qos: 1, retain: true });
  const online = await waitForBox(m, 'hall-01', (b) => b.online, 'online');
  assert.equal(online.version, '1.2.3');
  assert.deepEqual(online.plugins, { chat: 'running', video: 'failed' });
  assert.equal(online.transport?.kind, 'nr5g');
  assert.ok(online.connectedSince && online.lastSeen);

  box.stream.destroy(); // no DISCONNECT: the broker publishes the will
  const offline = await waitForBox(m, 'hall-01', (b) => !b.online, 'LWT');
  assert.equal(offline.connectedSince, null);
  assert.equal(offline.version, '1.2.3', 'what we knew about the box stays');
});

test('a box seen before the master restarts is rebuilt from the retained state', async (t) => {
  const m = await startMaster(t);
  const { password } = await m.credentials.addBox('hall-01', 'dandong');
  const box = await connectBox(t, m.urls.mqtt!, hall1, password);
  await box.publishAsync(topics.state(hall1), JSON.stringify(birth()), { qos: 1, retain: true });
  await waitFor(() => m.registry.get('hall-01')?.online, 8000, 'online');
  // a second master worker on the same broker (what a restart sees): a fresh registry from the retained message
  const second = createMaster({ dataDir: await tempDir(t), external: { url: m.urls.mqtt!, username: 'kefu-master', passwordFile: `${m.config.dataDir}/service.secret`, workerId: 'second' }, http: { host: '127.0.0.1', port: 0 } });
  t.after(() => second.stop());
  await second.start();
  const seen = await waitFor(() => second.registry.get('hall-01'), 8000, 'retained state at the second master');
  assert.equal(seen.online, true);
});

test('events are deduped on the envelope id and stored per box, newest first', async (t) => {
  const m = await startMaster(t);
  const { password } = await m.credentials.addBox('hall-01', 'dandong');
  const box = await connectBox(t, m.urls.mqtt!, hall1, password);
  for (const [id, seq] of [['a', 1], ['b', 2], ['a', 1], ['c', 3], ['b', 2]] as const) {
    await box.publishAsync(topics.event(hall1, 'chat', 'message'), env(id, seq, { text: id }), { qos: 1 });
  }
  await waitFor(() => m.stats().ingest.events + m.stats().ingest.duplicates === 5, 8000, 'all five processed');
  assert.equal(m.stats().ingest.events, 3);
  assert.equal(m.stats().ingest.duplicates, 2);
  const stored = await m.events.list('hall-01', { limit: 10 });
  assert.deepEqual(stored.map((e) => e.id), ['c', 'b', 'a']);
  assert.deepEqual(stored[0].data, { text: 'c' });
  assert.equal(stored[0].plugin, 'chat');
  assert.ok(m.registry.get('hall-01')!.lastSeen! > 0, 'any message updates lastSeen');
});

test('a copy is recognised while its event is retained, and new again once retention deleted it', async (t) => {
  const m = await startMaster(t);
  const { password } = await m.credentials.addBox('hall-01', 'dandong');
  const box = await connectBox(t, m.urls.mqtt!, hall1, password);
  const x = env('x', 1);
  await box.publishAsync(topics.event(hall1, 'chat', 'message'), x, { qos: 1 });
  await waitFor(() => m.stats().ingest.events === 1, 8000, 'first');
  await m.events.pruneEvents(['hall-01'], Date.now() + 1000);
  assert.deepEqual(await m.events.list('hall-01'), [], 'events past their retention are deleted');
  await box.publishAsync(topics.event(hall1, 'chat', 'message'), x, { qos: 1 });
  await waitFor(() => m.stats().ingest.events === 2, 8000, 'accepted again after retention');
  await box.publishAsync(topics.event(hall1, 'chat', 'message'), x, { qos: 1 });
  await waitFor(() => m.stats().ingest.duplicates === 1, 8000, 'and a copy of it is a copy');
});

test('telemetry keeps the latest value and a short history; cfg/reported is stored', async (t) => {
  const m = await startMaster(t, { ingest: { telemetryHistory: 3 } });
  const { password } = await m.credentials.addBox('hall-01', 'dandong');
  const box = await connectBox(t, m.urls.mqtt!, hall1, password);
  for (let i = 1; i <= 5; i++) await box.publishAsync(topics.telemetry(hall1, 'signal'), JSON.stringify({ v: 1, ts: 1000 + i, data: { rsrp_dbm: -90 - i } }), { qos: 1 });
  await box.publishAsync(topics.cfgReported(hall1), JSON.stringify({ v: 1, version: 7, applied: true, ts: Date.now() }), { qos: 1, retain: true });
  await waitFor(() => m.telemetry.latest('hall-01').signal?.ts === 1005 && m.registry.get('hall-01')?.cfgReported, 8000, 'telemetry and cfg');
  assert.deepEqual(m.telemetry.latest('hall-01').signal.data, { rsrp_dbm: -95 });
  assert.deepEqual(m.telemetry.history('hall-01', 'signal').map((s) => s.ts), [1003, 1004, 1005]);
  assert.equal(m.registry.get('hall-01')!.cfgReported!.version, 7);
});

test('malformed and oversized payloads are counted per code and the master keeps ingesting', async (t) => {
  const m = await startMaster(t, { ingest: { maxPayloadBytes: 2048 } });
  const { password } = await m.credentials.addBox('hall-01', 'dandong');
  const box = await connectBox(t, m.urls.mqtt!, hall1, password);
  await box.publishAsync(topics.event(hall1, 'chat', 'message'), '{not json', { qos: 1 });
  await box.publishAsync(topics.event(hall1, 'chat', 'message'), JSON.stringify({ v: 1, id: 'no-seq', ts: 1 }), { qos: 1 });
  await box.publishAsync(topics.state(hall1), JSON.stringify({ v: 2, online: true, ts: 1 }), { qos: 1 });
  await box.publishAsync(topics.telemetry(hall1, 'big'), JSON.stringify({ v: 1, ts: 1, data: { blob: 'x'.repeat(4096) } }), { qos: 0 });
  await box.publishAsync(topics.result(hall1, 'nobody-waits'), JSON.stringify({ v: 1, id: 'nobody-waits', ok: true, result: 1 }), { qos: 1 });
  await box.publishAsync(topics.event(hall1, 'chat', 'message'), env('good', 1), { qos: 1 });
  // events are taken in-process from the broker, the rest over the master's subscription: wait for both paths
  await waitFor(() => m.stats().ingest.events === 1 && m.stats().ingest.rejectedTotal === 4 && m.stats().ingest.resultsUnmatched === 1, 8000, 'the good event after the bad ones');
  const s = m.stats().ingest;
  assert.deepEqual(s.rejected, { PAYLOAD_NOT_JSON: 1, PAYLOAD_INVALID: 2, PAYLOAD_TOO_LARGE: 1 });
  assert.equal(s.rejectedTotal, 4);
  assert.equal(s.resultsUnmatched, 1);
  assert.equal(m.registry.get('hall-01')?.online, false, 'the invalid state was not applied');
});

test('the event store and its dedupe index survive a master restart; provisionBox is idempotent', async (t) => {
  const dataDir = await tempDir(t);
  const first = await startMaster(t, { dataDir });
  const cred = await first.provisionBox('hall-01', 'dandong');
  assert.deepEqual({ ...cred, passwordFile: cred.passwordFile.startsWith(dataDir) }, { url: first.urls.mqtt, username: 'hall-01', clientId: 'hall-01', passwordFile: true });
  const { readFile } = await import('node:fs/promises');
  const password = (await readFile(cred.passwordFile, 'utf8')).trim();
  const box = await connectBox(t, first.urls.mqtt!, hall1, password);
  await box.publishAsync(topics.event(hall1, 'chat', 'message'), env('once', 1), { qos: 1 });
  await waitFor(() => first.stats().ingest.events === 1, 8000, 'stored');
  await box.endAsync();
  await first.stop();

  const second = await startMaster(t, { dataDir });
  const again = await second.provisionBox('hall-01', 'dandong');
  assert.equal((await readFile(again.passwordFile, 'utf8')).trim(), password, 'the same password is kept');
  const box2 = await connectBox(t, second.urls.mqtt!, hall1, password);
  await box2.publishAsync(topics.event(hall1, 'chat', 'message'), env('once', 1), { qos: 1 }); // an outbox replay
  await box2.publishAsync(topics.event(hall1, 'chat', 'message'), env('new', 2), { qos: 1 });
  await waitFor(() => second.stats().ingest.events + second.stats().ingest.duplicates === 2, 8000, 'both processed');
  assert.equal(second.stats().ingest.duplicates, 1);
  assert.deepEqual((await second.events.list('hall-01')).map((e) => e.id), ['new', 'once']);
});
