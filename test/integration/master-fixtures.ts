// Shared setup of the master integration tests: a master on port 0 in a temp dir, and mqtt.js clients
// playing boxes. Everything is stopped by the test context, even when the test fails.
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { createMaster, type BoxInfo, type Master, type MasterConfigInput } from '../../master/index.js';
import { PROTOCOL_VERSION, type StateMessage } from '../../protocol/schemas.js';
import { topics, type BoxRef } from '../../protocol/topics.js';
import { tempDir } from '../helpers/tmp.js';

type Ctx = { after(fn: () => unknown): void };

export async function startMaster(t: Ctx, overrides: Partial<MasterConfigInput> = {}): Promise<Master> {
  const dataDir = overrides.dataDir ?? (await tempDir(t, 'kefu-master-'));
  const master = createMaster({
    dataDir,
    broker: { tcp: { host: '127.0.0.1', port: 0 }, ws: { host: '127.0.0.1', port: 0, path: '/mqtt' }, connectRate: { perWindow: 1000, windowMs: 1000 } },
    http: { host: '127.0.0.1', port: 0 },
    commands: { defaultTimeoutMs: 5000 },
    ...overrides,
  });
  t.after(() => master.stop());
  await master.start();
  return master;
}

export function birth(extra: Partial<StateMessage> = {}): StateMessage {
  return { v: PROTOCOL_VERSION, online: true, ts: Date.now(), version: '0.1.0', transport: { id: '5g', kind: 'nr5g', quality: 0.8 }, plugins: { chat: 'running' }, ...extra };
}

export function lwt(): StateMessage {
  return { v: PROTOCOL_VERSION, online: false, ts: Date.now() };
}

/** Connects like a box: clientId = username, LWT on its state topic. Resolves on CONNACK, rejects on refusal. */
export async function connectBox(t: Ctx, url: string, ref: BoxRef, password: string, extra: IClientOptions = {}): Promise<MqttClient> {
  const client = mqtt.connect(url, {
    clientId: ref.box, username: ref.box, password, reconnectPeriod: 0, connectTimeout: 10_000, keepalive: 30,
    will: { topic: topics.state(ref), payload: Buffer.from(JSON.stringify(lwt())), qos: 1, retain: true },
    ...extra,
  });
  t.after(() => client.endAsync(true));
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
    client.once('close', () => reject(new Error('connection closed before CONNACK')));
  });
  return client;
}

/** Polls until `fn` returns a truthy value (or throws after timeoutMs, with the last value in the message). */
export async function waitFor<T>(fn: () => T | Promise<T>, timeoutMs = 10_000, what = 'condition'): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < end) {
    last = await fn();
    if (last) return last as NonNullable<T>;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}

/** Resolves when the client is closed by the broker, or returns false if it stays open for `ms`. */
export async function closedWithin(client: MqttClient, ms: number): Promise<boolean> {
  if (!client.connected) return true;
  const timer = new Promise<false>((r) => setTimeout(() => r(false), ms));
  return Promise.race([new Promise<true>((r) => client.once('close', () => r(true))), timer]);
}

/** Waits until the registry entry of a box satisfies `pred`, and returns it. */
export function waitForBox(m: Master, id: string, pred: (b: BoxInfo) => boolean, what: string, timeoutMs = 10_000): Promise<BoxInfo> {
  return waitFor(() => { const b = m.registry.get(id); return b && pred(b) ? b : undefined; }, timeoutMs, what);
}
