// Finds the modem's AT port: a fixed path (e.g. /dev/serial/by-id/…), a glob (the tty name may change after a
// reset re-enumerates USB), or `auto` (USB VID/PID from the profiles via SerialPort.list(); ptys are not listed).
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { globMatch, hasGlob } from './glob.js';
import { listSerialPorts, type SerialCandidate } from './at/serial-port.js';

export interface UsbId { vid: string; pid: string; interface?: string }

export interface PortSpec {
  /** `auto`, a path, or a glob such as /dev/serial/by-id/usb-Quectel_*-if03-port0 */
  port: string;
  usb: UsbId[];
}

export interface DiscoveryDeps { list?: () => Promise<SerialCandidate[]> }

async function globPaths(pattern: string): Promise<string[]> {
  const dir = dirname(pattern);
  const names = await readdir(dir).catch(() => [] as string[]);
  const hits = names.filter((n) => globMatch(basename(pattern), n)).sort().map((n) => join(dir, n));
  const alive: string[] = [];
  for (const p of hits) if (await stat(p).then(() => true, () => false)) alive.push(p);
  return alive;
}

function usbMatches(c: SerialCandidate, ids: UsbId[]): boolean {
  const iface = /-if(\d{2})/.exec(c.pnpId ?? '')?.[1];
  return ids.some((id) => c.vendorId?.toLowerCase() === id.vid.toLowerCase() && c.productId?.toLowerCase() === id.pid.toLowerCase()
    && (id.interface === undefined || iface === undefined || iface === id.interface));
}

/** Every matching port path, best first; empty when the modem is not (yet) there. */
export async function findPorts(spec: PortSpec, deps: DiscoveryDeps = {}): Promise<string[]> {
  if (spec.port === 'auto') {
    const all = await (deps.list ?? listSerialPorts)().catch(() => [] as SerialCandidate[]);
    return all.filter((c) => usbMatches(c, spec.usb)).map((c) => c.path);
  }
  if (hasGlob(spec.port)) return globPaths(spec.port);
  return existsSync(spec.port) ? [spec.port] : [];
}

/** Polls until a port appears or the signal aborts / the deadline passes. */
export async function waitForPort(spec: PortSpec, opts: { timeoutMs: number; intervalMs?: number; signal?: AbortSignal }, deps: DiscoveryDeps = {}): Promise<string | null> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const [first] = await findPorts(spec, deps);
    if (first) return first;
    if (opts.signal?.aborted || Date.now() >= deadline) return null;
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
  }
}
