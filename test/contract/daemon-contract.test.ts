// The MQTT exchange between the real box daemon (`kefu start`, a child process) and a master-side observer,
// against every broker of brokers.ts (embedded aedes and Mosquitto with the generated ACL).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { CommandMessage, EventEnvelope, PROTOCOL_VERSION, ResultMessage, StateMessage } from '../../protocol/schemas.js';
import { masterSubscriptions, topics } from '../../protocol/topics.js';
import { startDaemon, writeBoxConfig, type DaemonProcess } from '../helpers/daemon-process.js';
import { brokers, type RunningBroker } from './brokers.js';
import { BOXES } from './broker-cases.js';

const BOX = { box: BOXES[0].id, region: BOXES[0].region };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(fn: () => T | undefined, what: string, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

for (const broker of brokers) {
  describe(`daemon contract: ${broker.name}`, () => {
    let running: RunningBroker;
    let dir: string;
    let daemon: DaemonProcess;
    let observer: MqttClient;
    const seen: Array<{ topic: string; payload: string; retain: boolean }> = [];
    const results = (id: string) => seen.filter((m) => m.topic === topics.result(BOX, id)).map((m) => ResultMessage.parse(JSON.parse(m.payload)));
    let n = 0;
    const send = (name: string, args: unknown, extra: Partial<CommandMessage> = {}) => {
      const msg = { v: PROTOCOL_VERSION, id: `c${Date.now()}${n++}`, args, by: 'test', ...extra };
      observer.publish(topics.command(BOX, name), JSON.stringify(msg), { qos: 1 });
      return msg.id;
    };
    const final = (id: string) => until(() => results(id).find((r) => 'ok' in r), `result of ${id}`);

    before(async () => {
      running = await broker.start(BOXES);
      dir = await mkdtemp(join(tmpdir(), 'kefu-daemon-contract-'));
      observer = await mqtt.connectAsync(running.url, { username: running.service.username, password: running.service.password, clientId: `${running.service.username}-observer`, reconnectPeriod: 0 });
      observer.on('message', (topic, payload, packet) => seen.push({ topic, payload: payload.toString(), retain: packet.retain }));
      await observer.subscribeAsync(Object.fromEntries(masterSubscriptions.map((topic) => [topic, { qos: 1 as const }])));
      const cfg = await writeBoxConfig(dir, { ...BOX, box: BOX.box, url: running.url, password: running.passwords[BOX.box] });
      daemon = await startDaemon(cfg, join(dir, 'data'));
    });
    after(async () => {
      await daemon?.kill9();
      await observer?.endAsync(true);
      await running?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    test('birth: retained state online with version, transport and plugins', async () => {
      const birth = await until(() => seen.find((m) => m.topic === topics.state(BOX) && StateMessage.parse(JSON.parse(m.payload)).online), 'birth');
      const s = StateMessage.parse(JSON.parse(birth.payload));
      assert.equal(s.transport?.id, 'eth');
      assert.equal(s.plugins?.system, 'running');
      assert.match(s.version ?? '', /^\d+\.\d+\.\d+/);
    });

    test('events arrive in the envelope with id and seq (the link switch at start)', async () => {
      const evt = await until(() => seen.find((m) => m.topic === topics.event(BOX, 'transport', 'switch')), 'switch event');
      const env = EventEnvelope.parse(JSON.parse(evt.payload));
      assert.ok(env.id.length > 8 && env.seq >= 1);
      assert.equal((env.data as { to: string }).to, 'eth');
    });

    test('a command gets its result; a duplicate id runs once and gets the same result', async () => {
      const before = await daemon.control<{ executed: number; duplicates: number }>('commands.stats');
      const id = send('system.info', {});
      const r = await final(id);
      assert.ok('ok' in r && r.ok && (r.result as { version: string }).version);
      observer.publish(topics.command(BOX, 'system.info'), JSON.stringify({ v: PROTOCOL_VERSION, id, args: {} }), { qos: 1 });
      await until(() => results(id).filter((x) => 'ok' in x).length >= 2 || undefined, 'second result');
      const after = await daemon.control<{ executed: number; duplicates: number }>('commands.stats');
      assert.equal(after.executed - before.executed, 1, 'executed once');
      assert.equal(after.duplicates - before.duplicates, 1);
    });

    test('expired, unknown, denied commands and bad arguments are refused with codes', async () => {
      const codeOf = async (id: string) => { const r = await final(id); return 'ok' in r && !r.ok ? r.error.code : 'ok'; };
      assert.equal(await codeOf(send('system.info', {}, { expiresAt: Date.now() - 1000 })), 'COMMAND_EXPIRED');
      assert.equal(await codeOf(send('no.such.command', {})), 'UNKNOWN_COMMAND');
      assert.equal(await codeOf(send('shell.exec', { cmd: 'id' })), 'COMMAND_NOT_ALLOWED');
      assert.equal(await codeOf(send('plugin.restart', { name: 5 })), 'ARGS_INVALID');
      assert.equal(await codeOf(send('plugin.restart', { name: 'ghost' })), 'PLUGIN_UNKNOWN');
    });

    test('malformed payloads are counted, answered when possible, and the daemon keeps running', async () => {
      observer.publish(topics.command(BOX, 'system.info'), '{not json', { qos: 1 });
      observer.publish(topics.command(BOX, 'system.info'), JSON.stringify({ v: 1, id: 'bad-shape', args: {}, expiresAt: 'soon' }), { qos: 1 });
      const bad = await final('bad-shape');
      assert.ok('ok' in bad && !bad.ok && bad.error.code === 'PAYLOAD_INVALID');
      // counted as it arrives: poll for it rather than trust a fixed pause
      let s = await daemon.control<{ rejected: Record<string, number> }>('commands.stats');
      for (const end = Date.now() + 10_000; (s.rejected.PAYLOAD_NOT_JSON ?? 0) < 1 && Date.now() < end; await sleep(100)) s = await daemon.control('commands.stats');
      assert.ok((s.rejected.PAYLOAD_NOT_JSON ?? 0) >= 1, JSON.stringify(s));
      const ok = await final(send('system.info', {}));
      assert.ok('ok' in ok && ok.ok, 'still answering');
    });

    test('kill -9: the broker publishes the retained LWT (online:false)', async () => {
      await daemon.kill9();
      const lwt = await until(() => [...seen].reverse().find((m) => m.topic === topics.state(BOX) && !StateMessage.parse(JSON.parse(m.payload)).online), 'LWT', 20_000);
      assert.equal(StateMessage.parse(JSON.parse(lwt.payload)).online, false);
    });
  });
}
