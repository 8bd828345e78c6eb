// The master-side BLE relay (`kefu relay ble --broker host:port`): a GATT peripheral whose tunnel channels each
// become one TCP connection to the broker. It bridges only to its configured broker, whatever a central asks.
import net from 'node:net';
import type dbus from 'dbus-next';
import { connectBus, waitConnected } from '../central.js';
import type { Logger } from 'pino';
import { TransportError } from '../../../protocol/errors.js';
import { createTunnel, type Tunnel } from '../tunnel.js';
import { registerGattApp } from './gatt-app.js';

export interface BleRelayOptions {
  broker: { host: string; port: number };
  busAddress?: string;
  adapter?: string;
  name?: string;
  window?: number;
  log: Logger;
}

export function createBleRelay(o: BleRelayOptions) {
  let bus: dbus.MessageBus | null = null;
  let app: Awaited<ReturnType<typeof registerGattApp>> | null = null;
  let tunnel: Tunnel | null = null;
  const sockets = new Set<net.Socket>();
  const stats = { sessions: 0, channels: 0, bytesUp: 0, bytesDown: 0 };
  const log = o.log.child({ module: 'ble:relay' });

  function bridge(ch: import('node:stream').Duplex): Promise<void> {
    return new Promise((resolve, reject) => {
      const sock = net.connect(o.broker.port, o.broker.host);
      sockets.add(sock);
      sock.setNoDelay(true);
      const fail = (err: Error) => { sockets.delete(sock); reject(Object.assign(new TransportError('RELAY_BROKER_UNREACHABLE', err.message), { code: (err as { code?: string }).code ?? 'RELAY_BROKER_UNREACHABLE' })); };
      sock.once('error', fail);
      sock.once('connect', () => {
        sock.off('error', fail);
        stats.channels += 1;
        sock.on('data', (b: Buffer) => { stats.bytesDown += b.length; });
        ch.on('data', (b: Buffer) => { stats.bytesUp += b.length; });
        ch.pipe(sock);
        sock.pipe(ch);
        const end = () => { sockets.delete(sock); sock.destroy(); ch.destroy(); };
        sock.on('error', end); sock.on('close', end);
        ch.on('error', end); ch.on('close', end);
        resolve();
      });
    });
  }

  return {
    stats: () => ({ ...stats, open: sockets.size }),
    async start(): Promise<void> {
      if (bus) return;
      const b = bus = connectBus(o.busAddress);
      try { await waitConnected(b, o.busAddress); } catch (err) { bus = null; throw err; }
      b.on('error', (err: Error) => log.warn({ err: err.message }, 'D-Bus connection error'));
      app = await registerGattApp({
        bus: b, adapterPath: `/org/bluez/${o.adapter ?? 'hci0'}`, name: o.name ?? 'kefu-relay',
        onSession(pipe) {
          stats.sessions += 1;
          tunnel?.close();
          log.info({ mtu: pipe.mtu }, 'central subscribed: new tunnel session');
          tunnel = createTunnel(pipe, { window: o.window, onOpen: bridge });
        },
      });
      log.info({ broker: o.broker }, 'BLE relay registered and advertising');
    },
    async stop(): Promise<void> {
      if (!bus) return;
      tunnel?.close();
      tunnel = null;
      for (const s of sockets) s.destroy();
      sockets.clear();
      await app?.unregister().catch(() => {});
      app = null;
      bus.disconnect();
      bus = null;
    },
  };
}

export type BleRelay = ReturnType<typeof createBleRelay>;
