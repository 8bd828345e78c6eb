// The brokers every contract case runs against. Each one is started with the same principals (the master's
// service user and a few boxes) and the same policy (master/broker/policy.ts). Add a broker here and every
// case runs against it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmbeddedBroker } from '../../master/broker/embedded-broker.js';
import { EmbeddedBrokerConfig } from '../../master/broker/broker-config.js';
import { mosquittoAcl } from '../../master/broker/policy.js';
import { createCredentialStore, type CredentialStore } from '../../master/credentials/credential-store.js';
import { silentLogger } from '../../daemon/logger.js';
import { startMosquitto } from '../sim/mosquitto.js';

export interface BoxSpec { id: string; region: string }

export interface RunningBroker {
  url: string;
  service: { username: string; password: string };
  /** box id → password */
  passwords: Record<string, string>;
  traits: { refusesSubscribeInSuback: boolean };
  stop(): Promise<void>;
}

export interface BrokerUnderTest {
  name: string;
  start(boxes: BoxSpec[]): Promise<RunningBroker>;
}

export const SERVICE_USER = 'kefu-master';
const SERVICE_PASSWORD = 'service-password-for-tests';

/** A credential store in a temp dir holding the service user and the boxes (what `kefu master box add` makes). */
async function provision(boxes: BoxSpec[]): Promise<{ dir: string; store: CredentialStore; passwords: Record<string, string> }> {
  const dir = await mkdtemp(join(tmpdir(), 'kefu-contract-'));
  const store = createCredentialStore({ dataDir: dir });
  await store.setService(SERVICE_USER, SERVICE_PASSWORD);
  const passwords: Record<string, string> = {};
  for (const b of boxes) passwords[b.id] = (await store.addBox(b.id, b.region)).password;
  return { dir, store, passwords };
}

export const brokers: BrokerUnderTest[] = [
  {
    name: 'embedded aedes',
    async start(boxes) {
      const { dir, store, passwords } = await provision(boxes);
      const broker = createEmbeddedBroker({
        config: EmbeddedBrokerConfig.parse({ tcp: { host: '127.0.0.1', port: 0 }, connectRate: { perWindow: 1000, windowMs: 1000 } }),
        credentials: store,
        log: silentLogger(),
      });
      try {
        const addrs = await broker.start();
        return {
          url: `mqtt://127.0.0.1:${addrs.tcp!.port}`, service: { username: SERVICE_USER, password: SERVICE_PASSWORD }, passwords,
          traits: { refusesSubscribeInSuback: true },
          async stop() { await broker.stop(); await rm(dir, { recursive: true, force: true }); },
        };
      } catch (err) {
        await rm(dir, { recursive: true, force: true });
        throw err;
      }
    },
  },
  {
    // the password file and ACL exactly as `kefu master acl --mosquitto` writes them
    name: 'mosquitto',
    async start(boxes) {
      const { dir, store, passwords } = await provision(boxes);
      try {
        const mosq = await startMosquitto({ passwordLines: await store.mosquittoPasswordLines(), acl: mosquittoAcl(await store.principals()) });
        return { url: mosq.url, service: { username: SERVICE_USER, password: SERVICE_PASSWORD }, passwords, traits: { refusesSubscribeInSuback: false }, stop: mosq.stop };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  },
];
