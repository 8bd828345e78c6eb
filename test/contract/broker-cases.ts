// Broker-level contract cases: each runs against every broker of brokers.ts. A case gets a fresh connection
// helper and the box ids it may use; add a case to `brokerCases` and it runs everywhere.
import assert from 'node:assert/strict';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { PROTOCOL_VERSION } from '../../protocol/schemas.js';
import { topics, type BoxRef } from '../../protocol/topics.js';
import type { BoxSpec, RunningBroker } from './brokers.js';

export const BOXES: BoxSpec[] = [
  { id: 'hall-01', region: 'dandong' },
  { id: 'hall-02', region: 'dandong' },
  { id: 'hall-03', region: 'shenyang' },
  { id: 'hall-04', region: 'shenyang' },
];
const ref = (id: string): BoxRef => { const b = BOXES.find((x) => x.id === id)!; return { box: b.id, region: b.region }; };

export interface CaseEnv {
  broker: RunningBroker;
  /** connects and waits for CONNACK; rejects with the broker's refusal */
  connect(username: string | undefined, password: string | undefined, opts?: IClientOptions): Promise<MqttClient>;
  box(id: string, opts?: IClientOptions): Promise<MqttClient>;
  service(opts?: IClientOptions): Promise<MqttClient>;
  /** collects messages on a client into an array */
  collect(client: MqttClient): Array<{ topic: string; payload: string; retain: boolean; qos: number }>;
}

export interface BrokerCase { name: string; run(env: CaseEnv): Promise<void> }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(fn: () => boolean, ms = 8000, what = 'condition') {
  const end = Date.now() + ms;
  while (!fn()) { if (Date.now() > end) throw new Error(`timed out waiting for ${what}`); await sleep(20); }
}
const state = (online: boolean) => JSON.stringify({ v: PROTOCOL_VERSION, online, ts: Date.now() });

export function createCaseEnv(broker: RunningBroker, track: (c: MqttClient) => void): CaseEnv {
  const connect: CaseEnv['connect'] = (username, password, opts = {}) => new Promise((resolve, reject) => {
    const c = mqtt.connect(broker.url, { username, password, clientId: username ?? `anon-${Date.now()}`, reconnectPeriod: 0, connectTimeout: 8000, ...opts });
    track(c);
    c.once('connect', () => resolve(c));
    c.once('error', (err) => reject(err));
    c.once('close', () => reject(new Error('closed before CONNACK')));
  });
  return {
    broker,
    connect,
    box: (id, opts) => connect(id, broker.passwords[id], opts),
    service: (opts) => connect(broker.service.username, broker.service.password, { clientId: `${broker.service.username}-${Math.random().toString(36).slice(2, 8)}`, ...opts }),
    collect(client) {
      const out: Array<{ topic: string; payload: string; retain: boolean; qos: number }> = [];
      client.on('message', (topic, payload, packet) => out.push({ topic, payload: payload.toString(), retain: packet.retain, qos: packet.qos }));
      return out;
    },
  };
}

export const brokerCases: BrokerCase[] = [
  {
    name: 'a box connects with its own password; a wrong password, an unknown user and no credentials are refused',
    async run(env) {
      const ok = await env.box('hall-01');
      assert.equal(ok.connected, true);
      await assert.rejects(env.connect('hall-01', 'wrong-password'), /Not authorized|Bad username or password|Connection refused/i);
      await assert.rejects(env.connect('nobody', 'x'), /Not authorized|Bad username or password|Connection refused/i);
      await assert.rejects(env.connect(undefined, undefined, { clientId: 'anon-1' }), /Not authorized|Bad username or password|Connection refused/i);
    },
  },
  {
    name: 'a publish under another box root is never delivered; under its own root it is',
    async run(env) {
      const master = await env.service();
      const seen = env.collect(master);
      await master.subscribeAsync('kefu/v1/#', { qos: 1 });
      const intruder = await env.box('hall-01');
      intruder.publish(topics.event(ref('hall-02'), 'chat', 'message'), JSON.stringify({ forged: true }), { qos: 1 });
      intruder.publish(topics.state(ref('hall-03')), state(true), { qos: 1 });
      const honest = await env.box('hall-02');
      await honest.publishAsync(topics.event(ref('hall-02'), 'chat', 'marker'), '{"marker":true}', { qos: 1 });
      await until(() => seen.some((m) => m.topic.endsWith('/chat/marker')), 8000, 'the marker');
      await sleep(300);
      assert.deepEqual(seen.filter((m) => m.payload.includes('forged') || m.topic.includes('hall-03')), []);
    },
  },
  {
    name: 'a box may subscribe to its own cmd, cfg and the broadcasts, not to another box cmd or the whole tree',
    async run(env) {
      const b = await env.box('hall-03');
      const own = await b.subscribeAsync([`kefu/v1/shenyang/hall-03/cmd/+`, 'kefu/v1/shenyang/hall-03/cfg', 'kefu/v1/shenyang/_all/cmd/+', 'kefu/v1/_all/cmd/+'], { qos: 1 });
      assert.deepEqual(own.map((g) => g.qos), [1, 1, 1, 1]);
      // aedes refuses in the SUBACK (0x80); Mosquitto grants and then filters every delivery by the read ACL
      const refused = await b.subscribeAsync(['kefu/v1/shenyang/hall-04/cmd/+'], { qos: 1 }).then(
        () => false,
        (err: { packet?: { granted?: number[] } }) => err.packet?.granted?.[0] === 128,
      );
      if (env.broker.traits.refusesSubscribeInSuback) assert.equal(refused, true, 'SUBACK 0x80 for a foreign filter');
      const seen = env.collect(b);
      const master = await env.service();
      await master.publishAsync(topics.command(ref('hall-04'), 'system.reboot'), '{}', { qos: 1 });
      await master.publishAsync(topics.command(ref('hall-03'), 'system.info'), '{}', { qos: 1 });
      await until(() => seen.some((m) => m.topic.endsWith('/system.info')), 8000, 'own command');
      await sleep(200);
      assert.deepEqual(seen.map((m) => m.topic), ['kefu/v1/shenyang/hall-03/cmd/system.info']);
    },
  },
  {
    name: 'a retained birth reaches a late subscriber; an abrupt disconnect delivers the LWT (online:false)',
    async run(env) {
      const r = ref('hall-04');
      const b = await env.box('hall-04', { will: { topic: topics.state(r), payload: Buffer.from(state(false)), qos: 1, retain: true }, keepalive: 5 });
      await b.publishAsync(topics.state(r), state(true), { qos: 1, retain: true });
      const master = await env.service();
      const seen = env.collect(master);
      await master.subscribeAsync(topics.state(r), { qos: 1 });
      await until(() => seen.length >= 1, 8000, 'retained birth');
      assert.equal(seen[0].retain, true);
      assert.equal(JSON.parse(seen[0].payload).online, true);
      b.stream.destroy(); // no DISCONNECT: the broker must publish the will
      await until(() => seen.some((m) => JSON.parse(m.payload).online === false), 10_000, 'LWT');
      // the will was retained too: a newcomer sees the box offline
      const late = await env.service();
      const lateSeen = env.collect(late);
      await late.subscribeAsync(topics.state(r), { qos: 1 });
      await until(() => lateSeen.length >= 1, 8000, 'retained LWT');
      assert.equal(JSON.parse(lateSeen[0].payload).online, false);
      await late.publishAsync(topics.state(r), '', { qos: 1, retain: true }); // clear for other cases
    },
  },
  {
    name: 'QoS 1 both ways: a command reaches the box, an event reaches the master, each at QoS 1',
    async run(env) {
      const r = ref('hall-02');
      const b = await env.box('hall-02');
      const boxSeen = env.collect(b);
      await b.subscribeAsync(`kefu/v1/dandong/hall-02/cmd/+`, { qos: 1 });
      const master = await env.service();
      const masterSeen = env.collect(master);
      await master.subscribeAsync('kefu/v1/+/+/evt/#', { qos: 1 });
      await master.publishAsync(topics.command(r, 'system.info'), JSON.stringify({ v: 1, id: 'c1' }), { qos: 1 });
      await b.publishAsync(topics.event(r, 'chat', 'message'), JSON.stringify({ v: 1, id: 'e1', seq: 1, ts: Date.now(), data: {} }), { qos: 1 });
      await until(() => boxSeen.length === 1 && masterSeen.length === 1, 8000, 'both deliveries');
      assert.equal(boxSeen[0].qos, 1);
      assert.equal(masterSeen[0].qos, 1);
    },
  },
  {
    name: 'a client publish to $SYS is refused',
    async run(env) {
      const master = await env.service();
      const seen = env.collect(master);
      await master.subscribeAsync(['$SYS/kefu/#', 'kefu/v1/#'], { qos: 1 });
      const b = await env.box('hall-01');
      b.publish('$SYS/kefu/forged', 'x', { qos: 1 });
      const honest = await env.box('hall-02');
      await honest.publishAsync(topics.telemetry(ref('hall-02'), 'marker'), '{}', { qos: 1 });
      await until(() => seen.some((m) => m.topic.endsWith('/tel/marker')), 8000, 'the marker');
      await sleep(300);
      assert.deepEqual(seen.filter((m) => m.topic.startsWith('$SYS/kefu')), []);
    },
  },
];
