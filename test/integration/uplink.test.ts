import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, subscriber, waitFor } from '../helpers/aedes-broker.js';
import { BOX, openBox } from '../helpers/box-link.js';
import { tempDir } from '../helpers/tmp.js';
import { topics } from '../../protocol/topics.js';
import { EventEnvelope, StateMessage, TelemetryMessage, type OutboxClass } from '../../protocol/schemas.js';

const evtTopic = (type: string) => topics.event(BOX, 'test', type);

test('events are delivered with QoS 1 and deleted from the outbox on PUBACK; birth is retained and valid', async (t) => {
  const broker = await startBroker();
  t.after(() => broker.stop());
  const sub = await subscriber(broker.port);
  t.after(() => sub.close());
  const plugins: Record<string, 'running' | 'failed'> = { chat: 'running' };
  const box = await openBox({ dir: await tempDir(t), port: () => broker.port, uplink: { pluginStates: () => ({ ...plugins }) } });
  t.after(() => box.close());
  const acked: number[] = [];
  box.uplink.on('acked', (a) => acked.push(a.seq));
  const connected = box.uplink.once('connected', 10_000);
  box.uplink.start();
  await connected;
  const ids = await Promise.all(Array.from({ length: 200 }, (_, i) => box.outbox.enqueue({ topic: evtTopic('tick'), class: 'event', data: { i } })));
  await sub.until((m) => m.filter((x) => x.topic === evtTopic('tick')).length >= 200, 20_000, '200 events');
  await waitFor(() => acked.length === 200, 10_000, 'acks');
  const got = sub.messages.filter((m) => m.topic === evtTopic('tick')).map((m) => EventEnvelope.parse(m.json));
  assert.deepEqual(got.map((e) => e.id), ids.map((r) => r.id), 'each once, in order');
  await waitFor(() => box.outbox.stats().pending.event === 0, 5000, 'outbox drained');
  assert.equal(box.outbox.stats().bytes, 0);

  const state = sub.messages.find((m) => m.topic === topics.state(BOX));
  assert.ok(state, 'birth published');
  const birth = StateMessage.parse(state.json);
  assert.equal(birth.online, true);
  assert.deepEqual(birth.transport, { id: 'eth', kind: 'wired', quality: 1 });
  const late = await subscriber(broker.port, topics.state(BOX));
  t.after(() => late.close());
  await late.until((m) => m.length > 0, 5000, 'retained state');
  assert.equal(late.messages[0].retain, true);

  // a plugin changes state: the birth is published again with it
  plugins.chat = 'failed';
  box.uplink.refreshState(10);
  await late.until((m) => m.some((x) => x.json?.plugins?.chat === 'failed'), 5000, 'republished state');
  assert.equal(StateMessage.parse(late.messages.at(-1)!.json).online, true);
});

test('broker down, events queued, broker back: everything delivered once per id, in order per class', async (t) => {
  const broker = await startBroker();
  t.after(() => broker.stop());
  const { tcpOpenStream } = await import('../helpers/aedes-broker.js');
  const socks: import('node:net').Socket[] = [];
  const tcp = tcpOpenStream(() => broker.port, (s) => socks.push(s));
  let linkAllowed = true; // lets the test attach its subscriber to the new broker before the box reconnects
  const box = await openBox({
    dir: await tempDir(t), port: () => broker.port,
    uplink: { inflightWindow: 16, openStream: () => (linkAllowed ? tcp() : Promise.reject(Object.assign(new Error('held'), { code: 'HELD' }))) },
  });
  t.after(() => box.close());
  const before = await subscriber(broker.port, topics.event(BOX, 'test', '+'));
  t.after(() => before.close());
  const ackedIds = new Set<string>();
  box.uplink.on('acked', (a) => ackedIds.add(a.id));
  box.uplink.start();
  await box.uplink.once('connected', 10_000);
  const disconnected = box.uplink.once('disconnected', 10_000);
  const classes: OutboxClass[] = ['critical', 'event', 'telemetry', 'bulk'];
  const sent: Array<{ id: string; cls: OutboxClass }> = [];
  const burst = Array.from({ length: 300 }, (_, i) => classes[i % 4]).map(async (cls, i) => sent.push({ ...(await box.outbox.enqueue({ topic: evtTopic(cls), class: cls, data: { i } })), cls }));
  await before.until((m) => m.length >= 20, 10_000, 'part of the burst');
  // the link dies with publishes in flight (their PUBACKs are lost), then the broker goes down too
  linkAllowed = false;
  socks.at(-1)!.destroy();
  await disconnected;
  await before.until((m) => { const ids = new Set(m.map((x) => x.json.id)); return [...ackedIds].every((id) => ids.has(id)); }, 10_000, 'the broker to forward what it acked');
  await broker.down();
  await before.close();
  await Promise.all(burst);
  for (let i = 0; i < 100; i++) {
    const cls = classes[i % 4];
    sent.push({ ...(await box.outbox.enqueue({ topic: evtTopic(cls), class: cls, data: { late: i } })), cls });
  }
  assert.equal(box.uplink.connected, false);
  assert.ok(box.outbox.stats().pending.critical > 0, 'events wait in the outbox');
  await broker.up();
  const after = await subscriber(broker.port, topics.event(BOX, 'test', '+'));
  t.after(() => after.close());
  linkAllowed = true;
  await after.until((m) => new Set([...before.messages, ...m].map((x) => x.json.id)).size >= 400, 30_000, 'all 400 ids');
  const got = [...before.messages, ...after.messages].map((m) => EventEnvelope.parse(m.json));
  assert.deepEqual(new Set(got.map((e) => e.id)), new Set(sent.map((s) => s.id)), 'every event, nothing else');
  for (const part of [before.messages, after.messages]) {
    const envs = part.map((m) => EventEnvelope.parse(m.json));
    assert.equal(new Set(envs.map((e) => e.id)).size, envs.length, 'no duplicate within one connection');
    for (const cls of classes) {
      const seqs = envs.filter((e) => e.class === cls).map((e) => e.seq);
      assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), `${cls} in order`);
    }
  }
  await waitFor(() => box.outbox.stats().bytes === 0, 10_000, 'outbox drained');
});

test('LWT: the broker publishes online:false when the box socket dies; the box comes back online by itself', async (t) => {
  const broker = await startBroker();
  t.after(() => broker.stop());
  const sub = await subscriber(broker.port, topics.state(BOX));
  t.after(() => sub.close());
  const box = await openBox({ dir: await tempDir(t), port: () => broker.port });
  t.after(() => box.close());
  box.uplink.start();
  await sub.until((m) => m.some((x) => x.json?.online === true), 10_000, 'online');
  box.sockets.at(-1)!.destroy();
  await sub.until((m) => m.some((x) => x.json?.online === false), 10_000, 'LWT');
  const lwt = StateMessage.parse(sub.messages.find((x) => x.json?.online === false)!.json);
  assert.equal(lwt.online, false);
  const n = sub.messages.length;
  await sub.until((m) => m.slice(n).some((x) => x.json?.online === true), 10_000, 'back online');
});

test('a link that fails to open is retried; allowed classes hold back the others; telemetry is rate-limited', async (t) => {
  const broker = await startBroker();
  t.after(() => broker.stop());
  const sub = await subscriber(broker.port);
  t.after(() => sub.close());
  let failures = 2;
  let allowed: OutboxClass[] | undefined = ['critical', 'event'];
  const box = await openBox({
    dir: await tempDir(t), port: () => broker.port,
    uplink: { allowedClasses: () => allowed, telemetryIntervalMs: 500, outboxTelemetryMs: 200 },
  });
  t.after(() => box.close());
  // the transport manager rejects twice (no link yet), then hands out a stream
  const opened: string[] = [];
  const { tcpOpenStream } = await import('../helpers/aedes-broker.js');
  const tcp = tcpOpenStream(() => broker.port);
  const box2 = await openBox({
    dir: await tempDir(t), port: () => broker.port,
    uplink: {
      clientId: 'box-2',
      allowedClasses: () => allowed, telemetryIntervalMs: 500, outboxTelemetryMs: 200,
      openStream: async () => {
        if (failures-- > 0) { opened.push('fail'); throw Object.assign(new Error('no link up'), { code: 'NO_LINK' }); }
        opened.push('ok');
        return tcp();
      },
    },
  });
  t.after(() => box2.close());
  await box.close(); // only box2 is used below
  box2.uplink.start();
  await box2.uplink.once('connected', 15_000);
  assert.deepEqual(opened, ['fail', 'fail', 'ok']);

  await box2.outbox.enqueue({ topic: evtTopic('bulky'), class: 'bulk', data: 1 });
  await box2.outbox.enqueue({ topic: evtTopic('crit'), class: 'critical', data: 2 });
  await sub.until((m) => m.some((x) => x.topic === evtTopic('crit')), 5000, 'critical');
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(!sub.messages.some((x) => x.topic === evtTopic('bulky')), 'bulk waits on a link that does not carry it');
  allowed = undefined;
  box2.uplink.kick();
  await sub.until((m) => m.some((x) => x.topic === evtTopic('bulky')), 5000, 'bulk after the link allows it');

  const tel = topics.telemetry(BOX, 'signal');
  for (let i = 0; i < 50; i++) box2.uplink.telemetry('signal', { i });
  await sub.until((m) => m.filter((x) => x.topic === tel).length >= 2, 5000, 'two telemetry messages');
  const tels = sub.messages.filter((x) => x.topic === tel).map((x) => TelemetryMessage.parse(x.json));
  assert.deepEqual(tels.map((x) => x.data.i), [0, 49], 'first at once, then only the latest');
  await sub.until((m) => m.some((x) => x.topic === topics.telemetry(BOX, 'outbox')), 5000, 'outbox counters');
  const ob = TelemetryMessage.parse(sub.messages.find((x) => x.topic === topics.telemetry(BOX, 'outbox'))!.json);
  assert.ok(ob.data.losses && ob.data.pending, 'losses and pending per class');
});

test("the current link's cap on publishes in flight holds; lifting it sends the rest", async (t) => {
  // the broker holds the PUBACK of every event until the test lets them go
  const held: Array<() => void> = [];
  const broker = await startBroker({ authorizePublish: (_c, packet, cb) => (packet.topic.includes('/evt/') ? held.push(() => cb(null)) : cb(null)) });
  t.after(() => { for (const go of held.splice(0)) go(); return broker.stop(); });
  let cap: number | undefined = 4;
  const box = await openBox({ dir: await tempDir(t), port: () => broker.port, uplink: { inflightWindow: 64, inflightLimit: () => cap } });
  t.after(() => box.close());
  box.uplink.start();
  await box.uplink.once('connected', 10_000);
  for (let i = 0; i < 20; i++) await box.outbox.enqueue({ topic: evtTopic('capped'), class: 'event', data: { i } });
  await waitFor(() => held.length === 4, 5000, 'four publishes in flight');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(held.length, 4, 'no more than the cap');
  assert.equal(box.uplink.stats().inflight, 4);
  cap = undefined;
  box.uplink.kick();
  await waitFor(() => held.length === 20, 5000, 'the rest once the cap is lifted');
  for (const go of held.splice(0)) go();
  await waitFor(() => box.outbox.stats().bytes === 0, 10_000, 'all acknowledged');
});

test('a refused CONNACK (auth backend hiccup) does not end the link: the box keeps retrying', async (t) => {
  let refusals = 3;
  const broker = await startBroker({ authenticate: (client, _u, _p, done) => done(null, client.id !== BOX.box || refusals-- <= 0) });
  t.after(() => broker.stop());
  // a refused login waits the backoff's cap (60 s by default): a short cap keeps the test short
  const box = await openBox({ dir: await tempDir(t), port: () => broker.port, uplink: { username: 'box-1', password: 'not-logged', reconnectMaxMs: 1000 } });
  t.after(() => box.close());
  box.uplink.start();
  await box.uplink.once('connected', 15_000);
  assert.ok(refusals < 0, 'connected only after the refusals');
  assert.match(box.uplink.stats().lastError, /refused/i);
});

test('a password without a username is refused at start, not retried silently forever', async (t) => {
  const box = await openBox({ dir: await tempDir(t), port: () => 1, uplink: { password: 'x' } });
  t.after(() => box.close());
  assert.throws(() => box.uplink.start(), { code: 'UPLINK_CONFIG_INVALID' });
});

test('stop() while the link is still opening leaves no socket behind', async (t) => {
  const broker = await startBroker();
  t.after(() => broker.stop());
  let open!: () => void;
  const { tcpOpenStream } = await import('../helpers/aedes-broker.js');
  const tcp = tcpOpenStream(() => broker.port);
  const box = await openBox({
    dir: await tempDir(t), port: () => broker.port,
    uplink: { openStream: () => new Promise((resolve, reject) => { open = () => tcp().then(resolve, reject); }) },
  });
  t.after(() => box.close());
  box.uplink.start();
  await waitFor(() => typeof open === 'function', 5000, 'the stream builder call');
  await box.uplink.stop();
  open();
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(broker.sockets.size, 0, 'the late link was closed');
  assert.equal(box.uplink.connected, false);
});

test('keepalive: a busy link stays up on its PUBACKs alone, and a peer that goes silent is detected', async (t) => {
  const broker = await startBroker();
  t.after(() => broker.stop());
  const box = await openBox({ dir: await tempDir(t), port: () => broker.port, uplink: { keepaliveSec: 1 } });
  t.after(() => box.close());
  let disconnects = 0;
  box.uplink.on('disconnected', () => { disconnects++; });
  box.uplink.start();
  await box.uplink.once('connected', 10_000);
  // 3 s of acks, one every few ms: mqtt.js restarts its keepalive timer on them (at most every 250 ms)
  const until = Date.now() + 3000;
  while (Date.now() < until) {
    await box.outbox.enqueue({ topic: evtTopic('busy'), class: 'event', data: 1 });
    await new Promise((r) => setTimeout(r, 3));
  }
  await waitFor(() => box.outbox.stats().bytes === 0, 10_000, 'all acked');
  assert.equal(disconnects, 0, 'the busy link stayed up');
  // nothing reaches the box any more (no PUBACK, no PINGRESP): the keepalive must end the session
  const socket = box.sockets.at(-1)!;
  socket.pause();
  socket.removeAllListeners('data');
  const t0 = Date.now();
  void box.outbox.enqueue({ topic: evtTopic('lost'), class: 'event', data: 2 });
  await waitFor(() => disconnects > 0, 10_000, 'the silent peer detected');
  assert.ok(Date.now() - t0 < 4000, `detected after ${Date.now() - t0} ms (keepalive 1 s)`);
});
