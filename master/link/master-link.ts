// The master's one MQTT client. Embedded or external broker, the rest of the master only sees this.
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { KefuError } from '../../protocol/errors.js';

export interface MasterLinkOptions {
  url: string;
  username: string;
  password: string;
  clientId: string;
  ca?: Buffer;
  /** MQTT 5 when the broker offers it (needed for shared subscriptions) */
  protocolVersion?: 4 | 5;
  connectTimeoutMs?: number;
}

export interface MasterLink {
  readonly client: MqttClient;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createMasterLink(opts: MasterLinkOptions, log: Logger): MasterLink {
  let client: MqttClient | null = null;
  const timeoutMs = opts.connectTimeoutMs ?? 15_000;

  return {
    get client() {
      if (!client) throw new KefuError('LINK_NOT_STARTED', 'the master link is not started');
      return client;
    },
    async start() {
      if (client) return;
      const options: IClientOptions = {
        username: opts.username,
        password: opts.password,
        clientId: opts.clientId,
        protocolVersion: opts.protocolVersion ?? 4,
        // a persistent session: QoS 1 box messages queue at the broker while the master restarts
        clean: false,
        keepalive: 30,
        reconnectPeriod: 1000,
        connectTimeout: timeoutMs,
        ca: opts.ca,
        ...(opts.protocolVersion === 5 ? { properties: { sessionExpiryInterval: 3600 } } : {}),
      };
      const c = mqtt.connect(opts.url, options);
      client = c;
      c.on('reconnect', () => log.debug('reconnecting to broker'));
      c.on('offline', () => log.warn('broker link offline'));
      c.on('error', (err) => log.warn({ err: err.message }, 'broker link error'));
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => done(new KefuError('BROKER_UNREACHABLE', `no CONNACK from ${opts.url} within ${timeoutMs} ms`)), timeoutMs);
        const onError = (err: Error & { code?: number }) => {
          // refused credentials will not get better by retrying
          if (err.code === 4 || err.code === 5 || err.code === 134 || err.code === 135) done(new KefuError('BROKER_AUTH_FAILED', `broker refused the master's credentials: ${err.message}`));
        };
        function done(err?: Error) {
          clearTimeout(timer);
          c.off('connect', onConnect);
          c.off('error', onError);
          if (err) reject(err); else resolve();
        }
        const onConnect = () => done();
        c.on('connect', onConnect);
        c.on('error', onError);
      }).catch(async (err) => {
        client = null;
        await c.endAsync(true);
        throw err;
      });
      log.info({ url: opts.url, clientId: opts.clientId }, 'connected to broker');
    },
    async stop() {
      const c = client;
      client = null;
      if (c) await c.endAsync();
    },
  };
}
