// Bluetooth link: the box as BLE central, connected to the relay peripheral; every stream is one channel of the
// GATT tunnel. Reconnects with backoff after a drop; the state is down from the drop until the tunnel is back.
import { z } from 'zod';
import { TransportError } from '../../protocol/errors.js';
import { OutboxClass } from '../../protocol/schemas.js';
import { StateCell, defineTransport, type BrokerAddress, type DoctorCheck, type TransportContext, type Transport } from '../transport.js';
import { createBleCentral, type BleCentral } from './central.js';
import type { BlePipe } from './pipe.js';
import { createTunnel, type Tunnel } from './tunnel.js';
import { BleConfig } from './config.js';

export { BleConfig };


export function createBleTransport(ctx: TransportContext, input: BleConfig, deps: { central?: BleCentral } = {}): Transport & { reconnects(): number } {
  const config = BleConfig.parse(input);
  const cell = new StateCell();
  const log = ctx.log.child({ transport: config.id });
  const central = deps.central ?? createBleCentral({ busAddress: config.busAddress, adapter: config.adapter, mtu: config.mtu, log });
  let running: AbortController | null = null;
  let loop: Promise<void> | null = null;
  let tunnel: Tunnel | null = null;
  let pipe: BlePipe | null = null;
  let connects = 0;

  const sleep = (ms: number, signal: AbortSignal) => new Promise<void>((r) => { const t = setTimeout(r, ms); signal.addEventListener('abort', () => { clearTimeout(t); r(); }, { once: true }); });

  async function run(signal: AbortSignal): Promise<void> {
    let backoff = config.reconnectMs;
    while (!signal.aborted) {
      cell.set({ status: 'connecting', quality: null, reason: `connecting to ${config.peer}` });
      try {
        const p = await central.connect(config.peer, config.connectTimeoutMs);
        if (signal.aborted) { await p.close(); break; }
        const t = createTunnel(p, { window: config.window });
        const lost = new Promise<Error>((r) => p.onClose(r));
        await t.hello(Date.now() & 0x7fffffff);
        pipe = p; tunnel = t; connects += 1;
        backoff = config.reconnectMs;
        cell.set({ status: 'up', quality: 1, reason: `connected to ${config.peer}`, detail: { peer: config.peer, mtu: p.mtu } });
        const err = await Promise.race([lost, new Promise<Error>((r) => signal.addEventListener('abort', () => r(new Error('stopped')), { once: true }))]);
        tunnel = null; pipe = null;
        t.close(err instanceof TransportError ? err : new TransportError('BLE_DISCONNECTED', err.message));
        if (signal.aborted) { await p.close().catch(() => {}); break; }
        log.warn({ err: err.message }, 'BLE link lost; reconnecting');
        cell.set({ status: 'down', quality: 0, reason: err.message });
      } catch (err) {
        log.debug({ err: (err as Error).message }, 'BLE connect failed');
        cell.set({ status: 'down', quality: 0, reason: `connect failed: ${(err as Error).message}` });
      }
      await sleep(backoff, signal);
      backoff = Math.min(config.maxReconnectMs, backoff * 2);
    }
  }

  return {
    id: config.id,
    kind: 'ble',
    classes: config.classes,
    inflightWindow: config.inflight,
    get state() { return cell.current; },
    onState: (l) => cell.on(l),
    reconnects: () => Math.max(0, connects - 1),
    async start(): Promise<void> {
      if (running) return;
      running = new AbortController();
      loop = run(running.signal);
    },
    async stop(): Promise<void> {
      if (!running) return;
      running.abort();
      running = null;
      tunnel?.close();
      await pipe?.close().catch(() => {});
      await loop;
      loop = null;
      await central.close();
      cell.set({ status: 'down', quality: null, reason: 'stopped' });
    },
    // the relay bridges to its own configured broker; the target is not sent over the air
    async openStream(_target: BrokerAddress) {
      if (!tunnel || !tunnel.alive) throw new TransportError('LINK_DOWN', `${config.id}: BLE tunnel not connected`);
      return tunnel.openChannel();
    },
  };
}

export function bleDoctor(input: BleConfig, ctx: TransportContext): DoctorCheck[] {
  const config = BleConfig.parse(input);
  return [{
    name: `relay ${config.peer} is visible over BlueZ`,
    run: async () => {
      const central = createBleCentral({ busAddress: config.busAddress, adapter: config.adapter, log: ctx.log });
      try {
        const found = (await central.scan(3000)).find((d) => d.address.toUpperCase() === config.peer.toUpperCase());
        if (!found) return { ok: false, detail: `${config.peer} not seen in a 3 s scan`, fix: 'start `kefu relay ble --broker host:port` on the master side within radio range, or fix the peer address' };
        return found.tunnel ? { ok: true, detail: `${found.name ?? config.peer}, RSSI ${found.rssi ?? '?'} dBm` } : { ok: false, detail: `${config.peer} does not offer the tunnel service`, fix: 'that device is not a kefu relay: check the peer address' };
      } catch (err) {
        return { ok: false, detail: (err as Error).message, fix: 'install and start BlueZ (bluetoothd) and check the adapter is powered' };
      } finally {
        await central.close();
      }
    },
  }];
}

export default defineTransport({
  kind: 'ble',
  config: BleConfig,
  create: (ctx: TransportContext, config: z.infer<typeof BleConfig>) => createBleTransport(ctx, config),
  doctor: (config: z.infer<typeof BleConfig>, ctx: TransportContext) => bleDoctor(config, ctx),
});
