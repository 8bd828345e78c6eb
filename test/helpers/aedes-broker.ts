// An in-process aedes broker on a loopback port, that a test can take down and bring back on the same port.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import type { Duplex } from 'node:stream';
import { Aedes, type AedesOptions } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';

export interface TestBroker {
  readonly port: number;
  readonly aedes: Aedes | null;
  up(): Promise<void>;
  /** closes the listener and every connection (the box sees its socket die) */
  down(): Promise<void>;
  stop(): Promise<void>;
  /** server-side sockets currently open */
  readonly sockets: Set<Socket>;
}

export async function startBroker(opts: { port?: number; start?: boolean; authenticate?: AedesOptions['authenticate']; authorizePublish?: AedesOptions['authorizePublish'] } = {}): Promise<TestBroker> {
  let port = opts.port ?? 0;
  let server: Server | null = null;
  let aedes: Aedes | null = null;
  const sockets = new Set<Socket>();

  const broker: TestBroker = {
    get port() { return port; },
    get aedes() { return aedes; },
    sockets,
    async up() {
      if (server) return;
      aedes = await Aedes.createBroker({
        heartbeatInterval: 60_000,
        ...(opts.authenticate ? { authenticate: opts.authenticate } : {}),
        ...(opts.authorizePublish ? { authorizePublish: opts.authorizePublish } : {}),
      });
      const a = aedes;
      server = createServer((s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); a.handle(s); });
      for (let attempt = 0; ; attempt++) {
        try {
          server.listen(port, '127.0.0.1');
          await once(server, 'listening');
          break;
        } catch (err) {
          // the port of a broker we took down may linger for a moment
          if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt > 50) throw err;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      port = (server.address() as { port: number }).port;
    },
    async down() {
      const s = server;
      const a = aedes;
      server = null;
      aedes = null;
      if (!s) return;
      for (const sock of sockets) sock.destroy();
      await new Promise<void>((r) => s.close(() => r()));
      if (a) await new Promise<void>((r) => a.close(() => r()));
    },
    async stop() { await broker.down(); },
  };
  if (opts.start !== false) await broker.up();
  return broker;
}

/** The stream builder a box uses in tests: plain TCP to the broker (what the wired transport does). */
export function tcpOpenStream(port: () => number, onSocket?: (s: Socket) => void): () => Promise<Duplex> {
  return () => new Promise((resolve, reject) => {
    const s = connect(port(), '127.0.0.1');
    s.setNoDelay(true);
    s.once('connect', () => { s.off('error', reject); onSocket?.(s); resolve(s); });
    s.once('error', reject);
  });
}

/** A master-side subscriber that records every message it gets. */
export async function subscriber(port: number, filter = 'kefu/v1/#', clientId = `sub-${Math.random().toString(36).slice(2)}`) {
  const client: MqttClient = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId, reconnectPeriod: 200, clean: true });
  const messages: Array<{ topic: string; payload: string; retain: boolean; json: any }> = [];
  client.on('message', (topic, payload, packet) => {
    let json: unknown = null;
    try { json = JSON.parse(payload.toString()); } catch { /* recorded raw */ }
    messages.push({ topic, payload: payload.toString(), retain: packet.retain, json });
  });
  await client.subscribeAsync(filter, { qos: 1 });
  return {
    client,
    messages,
    /** waits until `pred` holds over the recorded messages */
    async until(pred: (m: typeof messages) => boolean, timeoutMs = 20_000, what = 'condition'): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!pred(messages)) {
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${messages.length} messages)`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () => client.endAsync(true),
  };
}

export async function waitFor(pred: () => boolean, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
