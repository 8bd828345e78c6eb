// Wired link: TCP/TLS to the broker, bound to the interface's address. Its state follows the interface's
// carrier (read from sysfs, so a pulled cable or a down link is seen within one poll) and connect results.
import { readFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { z } from 'zod';
import { TransportError } from '../../protocol/errors.js';
import { StateCell, defineTransport, type BrokerAddress, type DoctorCheck, type TransportContext } from '../transport.js';
import { openSocket } from './open-socket.js';

export const WiredConfig = z.object({
  id: z.string().min(1),
  kind: z.literal('wired').default('wired'),
  localAddress: z.string().optional(),
  interface: z.string().optional(),
  /** how often the interface carrier is read */
  pollMs: z.number().int().positive().default(100),
  connectTimeoutMs: z.number().int().positive().default(3000),
});
export type WiredConfig = z.infer<typeof WiredConfig>;

async function carrierOf(iface: string): Promise<{ up: boolean; why: string }> {
  try {
    const oper = (await readFile(`/sys/class/net/${iface}/operstate`, 'utf8')).trim();
    if (oper === 'down' || oper === 'lowerlayerdown' || oper === 'notpresent') return { up: false, why: `${iface} ${oper}` };
    const carrier = (await readFile(`/sys/class/net/${iface}/carrier`, 'utf8').catch(() => '1')).trim();
    return carrier === '1' ? { up: true, why: `${iface} up` } : { up: false, why: `${iface} no carrier` };
  } catch {
    return { up: false, why: `${iface} missing` };
  }
}

function addressOf(iface: string): string | undefined {
  return networkInterfaces()[iface]?.find((a) => a.family === 'IPv4')?.address;
}

export function createWiredTransport(ctx: TransportContext, config: WiredConfig) {
  const cell = new StateCell();
  let timer: NodeJS.Timeout | null = null;
  const log = ctx.log.child({ transport: config.id });

  const source = () => config.localAddress ?? (config.interface ? addressOf(config.interface) : undefined);

  async function poll(): Promise<void> {
    if (!config.interface) return;
    const c = await carrierOf(config.interface);
    if (!timer) return;
    if (!c.up) cell.set({ status: 'down', quality: 0, reason: c.why, detail: { interface: config.interface } });
    else if (cell.current.status === 'down') cell.set({ status: 'up', quality: 1, reason: c.why, detail: { interface: config.interface, address: source() } });
  }

  return {
    id: config.id,
    kind: 'wired' as const,
    get state() { return cell.current; },
    onState: (l: Parameters<StateCell['on']>[0]) => cell.on(l),
    async start(_signal: AbortSignal): Promise<void> {
      if (timer) return;
      timer = setInterval(() => void poll(), config.pollMs);
      if (config.interface) await poll();
      else cell.set({ status: 'up', quality: 1, reason: 'no interface to watch; probes decide', detail: { address: source() } });
      log.debug({ state: cell.current }, 'wired transport started');
    },
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = null;
      cell.set({ status: 'down', quality: null, reason: 'stopped' });
    },
    async openStream(target: BrokerAddress) {
      if (config.interface && cell.current.status === 'down') throw new TransportError('LINK_DOWN', `${config.id}: ${cell.current.reason ?? 'down'}`);
      const localAddress = source();
      if (config.interface && !localAddress) throw new TransportError('LINK_DOWN', `${config.id}: ${config.interface} has no IPv4 address`);
      return openSocket(target, { localAddress, timeoutMs: config.connectTimeoutMs });
    },
  };
}

/** What doctor can check depends on what the config names; a link that names neither says so, not nothing. */
export function wiredDoctor(config: WiredConfig): DoctorCheck[] {
  const checks: DoctorCheck[] = [];
  if (config.interface) {
    const iface = config.interface;
    checks.push({ name: `interface ${iface} has carrier`, run: async () => {
      const c = await carrierOf(iface);
      return c.up ? { ok: true, detail: c.why } : { ok: false, detail: c.why, fix: `plug in the cable or bring the link up (ip link set ${iface} up)` };
    } });
    if (!config.localAddress) {
      checks.push({ name: `interface ${iface} has an IPv4 address`, run: async () => {
        const addr = addressOf(iface);
        return addr ? { ok: true, detail: `${addr} (the source address of this link's connections)` }
          : { ok: false, detail: `${iface} has no IPv4 address: this link cannot connect`, fix: `configure an address on ${iface} (DHCP or static), or set localAddress` };
      } });
    }
  }
  if (config.localAddress) {
    const addr = config.localAddress;
    const unwatched = config.interface ? '' : '; carrier not watched (no interface set): the probes decide whether the link is up';
    checks.push({ name: `source address ${addr} is configured`, run: async () => {
      const owner = Object.entries(networkInterfaces()).find(([, as]) => as?.some((a) => a.address === addr))?.[0];
      return owner ? { ok: true, detail: `on ${owner}${unwatched}` } : { ok: false, detail: `no interface has ${addr}`, fix: 'assign the address to the wired interface, or remove localAddress from the config' };
    } });
  }
  if (!config.interface && !config.localAddress) {
    checks.push({ name: 'link', run: async () => ({ ok: true,
      detail: 'not checked: no interface or localAddress set, so there is no carrier or source address to check; the link uses the default route and its probes decide whether it is up (the broker line tests that route)' }) });
  }
  return checks;
}

export default defineTransport({
  kind: 'wired',
  config: WiredConfig,
  create: (ctx: TransportContext, config: WiredConfig) => createWiredTransport(ctx, config),
  doctor: (config: WiredConfig) => wiredDoctor(config),
});
