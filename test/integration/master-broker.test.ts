// The embedded broker of the master: per-box authentication, topic ACLs, will check, $SYS, limits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createConnection } from 'node:net';
import mqtt from 'mqtt';
import { topics } from '../../protocol/topics.js';
import { birth, closedWithin, connectBox, startMaster, waitFor } from './master-fixtures.js';

const hall1 = { region: 'dandong', box: 'hall-01' };
const hall2 = { region: 'dandong', box: 'hall-02' };
const refused = /Not authorized|Bad username or password|Identifier rejected|closed before CONNACK/i;

test('a box connects with its credentials; a bad password, another box id as clientId and a foreign will are refused', async (t) => {
  const m = await startMaster(t);
  const { password } = await m.credentials.addBox('hall-01', 'dandong');
  await m.credentials.addBox('hall-02', 'dandong');
  const box = await connectBox(t, m.urls.mqtt!, hall1, password);
  assert.equal(box.connected, true);
  await assert.rejects(connectBox(t, m.urls.mqtt!, hall1, 'not-the-password'), refused);
  await assert.rejects(connectBox(t, m.urls.mqtt!, hall1, password, { clientId: 'hall-02' }), refused);
  await assert.rejects(connectBox(t, m.urls.mqtt!, hall1, password, { will: { topic: topics.state(hall2), payload: Buffer.from('{}'), qos: 1, retain: true } }), refused);
  const s = m.stats().broker!;
  assert.equal(s.authFailures, 3);
  assert.equal(s.deniedWill, 1);
});

test('a box publishing under another box root is denied and the master never ingests it', async (t) => {
  const m = await startMaster(t);
  const p1 = (await m.credentials.addBox('hall-01', 'dandong')).password;
  const p2 = (await m.credentials.addBox('hall-02', 'dandong')).password;
  const hall2Births: unknown[] = [];
  m.registry.onChange((b) => { if (b.id === 'hall-02' && b.online) hall2Births.push(b); });
  const intruder = await connectBox(t, m.urls.mqtt!, hall1, p1);
  intruder.publish(topics.state(hall2), JSON.stringify(birth()), { qos: 1, retain: true });
  assert.equal(await closedWithin(intruder, 5000), true, 'aedes drops a client that publishes outside its grant');
  // the honest box's own event arrives: ingestion is running, so the forged one was really refused
  const honest = await connectBox(t, m.urls.mqtt!, hall2, p2);
  await honest.publishAsync(topics.event(hall2, 'chat', 'message'), JSON.stringify({ v: 1, id: 'e-1', seq: 1, ts: Date.now(), data: {} }), { qos: 1 });
  await waitFor(() => m.stats().ingest.events === 1, 8000, 'the honest event');
  assert.deepEqual(hall2Births, [], 'the forged birth never reached the registry');
  assert.equal(m.registry.get('hall-02')?.online, false);
  assert.deepEqual((await m.events.list('hall-02')).map((e) => e.id), ['e-1']);
  assert.ok(m.stats().broker!.deniedPublish >= 1);
});

test('a box cannot subscribe to another box commands; its own are granted', async (t) => {
  const m = await startMaster(t);
  const p1 = (await m.credentials.addBox('hall-01', 'dandong')).password;
  const box = await connectBox(t, m.urls.mqtt!, hall1, p1);
  const own = await box.subscribeAsync(['kefu/v1/dandong/hall-01/cmd/+', 'kefu/v1/dandong/_all/cmd/+'], { qos: 1 });
  assert.deepEqual(own.map((g) => g.qos), [1, 1]);
  for (const filter of ['kefu/v1/dandong/hall-02/cmd/+', 'kefu/v1/dandong/+/cmd/+', 'kefu/v1/#', '#', 'kefu/v1/dandong/hall-01/cmd/#']) {
    const granted = await box.subscribeAsync(filter, { qos: 1 }).then(() => 0, (err: { packet?: { granted?: number[] } }) => err.packet?.granted?.[0]);
    assert.equal(granted, 128, `${filter} must be refused`);
  }
  assert.equal(box.connected, true, 'a refused subscription does not cost the connection');
});

test('a client publish to $SYS is refused, even from the master service user', async (t) => {
  const m = await startMaster(t);
  const p1 = (await m.credentials.addBox('hall-01', 'dandong')).password;
  const box = await connectBox(t, m.urls.mqtt!, hall1, p1);
  box.publish('$SYS/fake/new/clients', 'x', { qos: 1 });
  assert.equal(await closedWithin(box, 5000), true);
  assert.ok(m.stats().broker!.deniedPublish >= 1);
});

test('an oversized packet closes only that connection; keepalive 0 and too many connects are refused', async (t) => {
  const m = await startMaster(t, { broker: { tcp: { host: '127.0.0.1', port: 0 }, maximumPacketSize: 4096, keepaliveLimitS: 60, connectRate: { perWindow: 3, windowMs: 60_000 } } });
  const p1 = (await m.credentials.addBox('hall-01', 'dandong')).password;
  const box = await connectBox(t, m.urls.mqtt!, hall1, p1);
  box.publish(topics.telemetry(hall1, 'big'), Buffer.alloc(8000, 'x'), { qos: 0 });
  assert.equal(await closedWithin(box, 5000), true);
  assert.equal(m.stats().broker!.oversize, 1);
  // a raw header announcing 200 MB is cut before any body arrives
  const raw = createConnection({ host: '127.0.0.1', port: Number(new URL(m.urls.mqtt!).port) });
  raw.on('error', () => undefined);
  raw.write(Buffer.from([0x30, 0xff, 0xff, 0xff, 0x7f]));
  await new Promise((r) => raw.once('close', r));
  assert.equal(m.stats().broker!.oversize, 2);
  await assert.rejects(connectBox(t, m.urls.mqtt!, hall1, p1, { keepalive: 0 }), /closed|refused|Identifier/i);
  // CONNECTs so far: the master's own link, the box, the keepalive-0 try: the window of 3 is used up
  await assert.rejects(connectBox(t, m.urls.mqtt!, hall1, p1), /closed|refused/i);
  assert.ok(m.stats().broker!.rateLimited >= 1);
  assert.equal(m.stats().boxes.total, 1, 'the master is still running and answering');
});

test('boxes can connect over the WebSocket listener with the same credentials', async (t) => {
  const m = await startMaster(t);
  const p1 = (await m.credentials.addBox('hall-01', 'dandong')).password;
  const box = await connectBox(t, m.urls.ws!, hall1, p1);
  await box.publishAsync(topics.state(hall1), JSON.stringify(birth()), { qos: 1, retain: true });
  await waitFor(() => m.registry.get('hall-01')?.online, 8000, 'birth over WebSocket');
  const bad = mqtt.connect(m.urls.ws!, { clientId: 'hall-01', username: 'hall-01', password: 'nope', reconnectPeriod: 0 });
  t.after(() => bad.endAsync(true));
  const err = await new Promise<Error>((resolve) => bad.once('error', resolve));
  assert.match(err.message, /Bad username or password|Not authorized/);
});

test('a box added while the master runs can connect at once; a removed one loses its session and cannot reconnect', async (t) => {
  const m = await startMaster(t, { broker: { tcp: { host: '127.0.0.1', port: 0 }, revalidateMs: 200 } });
  const { createCredentialStore } = await import('../../master/credentials/credential-store.js');
  const other = createCredentialStore({ dataDir: m.config.dataDir }); // what `kefu master box add` does
  const { password } = await other.addBox('hall-07', 'dandong');
  const ref = { region: 'dandong', box: 'hall-07' };
  const c = await connectBox(t, m.urls.mqtt!, ref, password);
  await other.removeBox('hall-07');
  assert.equal(await closedWithin(c, 5000), true, 'the running session is closed');
  await assert.rejects(connectBox(t, m.urls.mqtt!, ref, password), refused);
});

test('the TLS listener serves boxes with the configured certificate', async (t) => {
  const fixtures = new URL('../fixtures/master/', import.meta.url).pathname;
  const m = await startMaster(t, { broker: { tcp: { host: '127.0.0.1', port: 0 }, tls: { host: '127.0.0.1', port: 0, cert: `${fixtures}broker.crt`, key: `${fixtures}broker.key` } } });
  assert.match(m.urls.mqtts!, /^mqtts:\/\/127\.0\.0\.1:\d+$/);
  const p1 = (await m.credentials.addBox('hall-01', 'dandong')).password;
  const { readFile } = await import('node:fs/promises');
  const ca = await readFile(`${fixtures}broker.crt`);
  const box = await connectBox(t, m.urls.mqtts!, hall1, p1, { ca, servername: 'localhost' });
  await box.publishAsync(topics.state(hall1), JSON.stringify(birth()), { qos: 1, retain: true });
  await waitFor(() => m.registry.get('hall-01')?.online, 8000, 'birth over TLS');
  // a client that does not trust the certificate gets no session
  await assert.rejects(connectBox(t, m.urls.mqtts!, hall1, p1), /self.signed|certificate|closed/i);
});

test('a side session of a box (link probe, doctor) connects but may not subscribe, publish or leave a will', async (t) => {
  const m = await startMaster(t);
  const p1 = (await m.credentials.addBox('hall-01', 'dandong')).password;
  const probe = await connectBox(t, m.urls.mqtt!, hall1, p1, { clientId: 'hall-01-probe-wired', will: undefined });
  const granted = await probe.subscribeAsync(topics.command(hall1, 'x'), { qos: 1 }).then(() => 0, (err: { packet?: { granted?: number[] } }) => err.packet?.granted?.[0]);
  assert.equal(granted, 128);
  probe.publish(topics.state(hall1), JSON.stringify(birth()), { qos: 1 });
  assert.equal(await closedWithin(probe, 5000), true);
  await assert.rejects(connectBox(t, m.urls.mqtt!, hall1, p1, { clientId: 'hall-01-doctor' }), refused, 'a side session with a will is refused');
  assert.equal(m.stats().ingest.received, 0, 'nothing from the probe reached the master');
});

test('a box cannot take over another session by its client id (hall → hall-01, kefu → kefu-master-main)', async (t) => {
  const m = await startMaster(t);
  const pHall = (await m.credentials.addBox('hall', 'dandong')).password;
  const p1 = (await m.credentials.addBox('hall-01', 'dandong')).password;
  const pKefu = (await m.credentials.addBox('kefu', 'dandong')).password;
  const victim = await connectBox(t, m.urls.mqtt!, hall1, p1);
  const hall = { region: 'dandong', box: 'hall' };
  await assert.rejects(connectBox(t, m.urls.mqtt!, hall, pHall, { clientId: 'hall-01', will: undefined }), refused);
  await assert.rejects(connectBox(t, m.urls.mqtt!, { region: 'dandong', box: 'kefu' }, pKefu, { clientId: 'kefu-master-main', will: undefined }), refused);
  await assert.rejects(m.credentials.addBox('kefu-master-main', 'dandong'), { code: 'BOX_ID_INVALID' });
  assert.equal(victim.connected, true, 'the victim kept its session');
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(m.stats().broker!.connectedClients, 2, 'the master link and the victim are still connected');
});
