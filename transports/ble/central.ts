// The box's BLE central: node-ble over BlueZ D-Bus, behind our own small interface (scan, connect → BlePipe).
// Any D-Bus error after a connection is treated as the link going down.
import { createRequire } from 'node:module';
import dbus from 'dbus-next';
import type NodeBle from 'node-ble';
import type { Logger } from 'pino';
import { TransportError } from '../../protocol/errors.js';
import { MIN_MTU } from './frame.js';
import type { BlePipe } from './pipe.js';
import { TUNNEL_RX_UUID, TUNNEL_SERVICE_UUID, TUNNEL_TX_UUID } from './uuids.js';

// node-ble's own factory only knows the default system bus; its Bluetooth class takes any bus connection
const BluetoothClass = createRequire(import.meta.url)('node-ble/src/Bluetooth.js') as new (bus: dbus.MessageBus) => NodeBle.Bluetooth;

export interface BleCentralOptions {
  /** D-Bus address of BlueZ's bus; the system bus when unset */
  busAddress?: string;
  adapter?: string;
  /** ATT MTU to assume when BlueZ does not report one */
  mtu?: number;
  log: Logger;
}

export function connectBus(address?: string): dbus.MessageBus {
  return address ? dbus.sessionBus({ busAddress: address }) : dbus.systemBus();
}

/** dbus-next reports an unreachable bus only as an 'error' event; turn it into a rejection. */
export function waitConnected(bus: dbus.MessageBus, address: string | undefined, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (err: Error) => { clearTimeout(timer); reject(new TransportError('BLUEZ_UNAVAILABLE', `cannot reach BlueZ's D-Bus (${address ?? 'system bus'}): ${err.message}`)); };
    const timer = setTimeout(() => fail(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    bus.once('connect', () => { clearTimeout(timer); bus.off('error', fail); resolve(); });
    bus.once('error', fail);
  });
}

export interface ScannedDevice { address: string; name: string | null; rssi: number | null; tunnel: boolean }

export function createBleCentral(o: BleCentralOptions) {
  let bus: dbus.MessageBus | null = null;
  let bt: Promise<NodeBle.Bluetooth> | null = null;
  const log = o.log;

  const session = (): Promise<NodeBle.Bluetooth> => {
    if (!bt) {
      const b = bus = connectBus(o.busAddress);
      bt = waitConnected(b, o.busAddress).then(() => new BluetoothClass(b));
      bt.catch(() => { if (bus === b) { bus = null; bt = null; } });
      b.on('error', (err: Error) => log.warn({ err: err.message }, 'D-Bus connection error'));
    }
    return bt;
  };
  const adapter = async () => (o.adapter ? (await session()).getAdapter(o.adapter) : (await session()).defaultAdapter());
  const wrap = (err: unknown, what: string) => new TransportError('BLE_DISCONNECTED', `${what}: ${(err as Error).message}`);

  return {
    async scan(ms: number): Promise<ScannedDevice[]> {
      const a = await adapter();
      if (!(await a.isDiscovering())) await a.startDiscovery();
      await new Promise((r) => setTimeout(r, ms));
      const out: ScannedDevice[] = [];
      for (const address of await a.devices()) {
        const d = await a.getDevice(address);
        const props = (d as unknown as { helper: { props(): Promise<Record<string, unknown>> } }).helper;
        const p = await props.props().catch(() => ({} as Record<string, unknown>));
        out.push({ address, name: (p.Name as string) ?? null, rssi: typeof p.RSSI === 'number' ? p.RSSI : null, tunnel: ((p.UUIDs as string[]) ?? []).includes(TUNNEL_SERVICE_UUID) });
      }
      await a.stopDiscovery().catch(() => {});
      return out;
    },

    async connect(address: string, timeoutMs = 15_000): Promise<BlePipe> {
      const a = await adapter();
      if (!(await a.isDiscovering())) await a.startDiscovery();
      const device = await a.waitDevice(address.toUpperCase(), timeoutMs, 200);
      await a.stopDiscovery().catch(() => {});
      await device.connect();
      const gatt = await device.gatt();
      const svc = await gatt.getPrimaryService(TUNNEL_SERVICE_UUID);
      const rx = await svc.getCharacteristic(TUNNEL_RX_UUID);
      const tx = await svc.getCharacteristic(TUNNEL_TX_UUID);
      const mtuProp = await (rx as unknown as { helper: { prop(n: string): Promise<unknown> } }).helper.prop('MTU').catch(() => null);
      const mtu = typeof mtuProp === 'number' && mtuProp >= MIN_MTU ? mtuProp : (o.mtu ?? MIN_MTU);

      const frameListeners = new Set<(b: Buffer) => void>();
      const closeListeners = new Set<(e: Error) => void>();
      let closed: Error | null = null;
      const close = (err: Error) => {
        if (closed) return;
        closed = err;
        tx.removeAllListeners('valuechanged');
        device.removeAllListeners('disconnect');
        for (const l of [...closeListeners]) l(err);
      };
      tx.on('valuechanged', (b: Buffer) => { for (const l of [...frameListeners]) l(b); });
      device.on('disconnect', () => close(new TransportError('BLE_DISCONNECTED', `${address} disconnected`)));
      await tx.startNotifications();
      log.info({ address, mtu }, 'BLE tunnel connected');

      return {
        mtu,
        async send(frame: Buffer) {
          if (closed) throw closed;
          try {
            await rx.writeValue(frame, { type: 'request' });
          } catch (err) {
            const e = wrap(err, 'GATT write failed');
            close(e);
            throw e;
          }
        },
        onFrame: (l) => { frameListeners.add(l); return () => frameListeners.delete(l); },
        onClose: (l) => { closeListeners.add(l); return () => closeListeners.delete(l); },
        async close() {
          close(new TransportError('BLE_CLOSED', 'closed locally'));
          await tx.stopNotifications().catch(() => {});
          await device.disconnect().catch(() => {});
        },
      };
    },

    async close(): Promise<void> {
      try { bus?.disconnect(); } catch { /* never connected */ }
      bus = null; bt = null;
    },
  };
}

export type BleCentral = ReturnType<typeof createBleCentral>;
