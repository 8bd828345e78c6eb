// The one small interface every link implements (cellular, wired, ble). See DESIGN.md "Transports".
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { OutboxClass, TransportKind } from '../protocol/schemas.js';

export type { TransportKind };

export interface BrokerAddress {
  host: string;
  port: number;
  /** TLS when set; required off loopback. */
  tls?: { ca?: Buffer | string; servername?: string; rejectUnauthorized?: boolean; cert?: Buffer | string; key?: Buffer | string };
}

export type LinkStatus = 'down' | 'connecting' | 'up' | 'degraded';

export interface TransportState {
  status: LinkStatus;
  /** 0 (unusable) … 1 (perfect), null when unknown. */
  quality: number | null;
  since: number;
  reason?: string;
  /** link details for telemetry (address, signal, rat, …) */
  detail?: Record<string, unknown>;
}

export type Disposer = () => void;

export interface Transport {
  readonly id: string;
  readonly kind: TransportKind;
  /** Outbox classes this link may carry; undefined means all. */
  readonly classes?: readonly OutboxClass[];
  /** Un-acked QoS 1 publishes this link should carry at a time, when fewer than the uplink's window: on a slow
   * link a long backlog in flight would make a new critical event wait behind all of it. */
  readonly inflightWindow?: number;
  start(signal: AbortSignal): Promise<void>;
  stop(): Promise<void>;
  readonly state: TransportState;
  onState(listener: (state: TransportState) => void): Disposer;
  /** A byte stream to the broker over this link. */
  openStream(target: BrokerAddress): Promise<Duplex>;
  /** Radio links report signal samples (canonical cellular fields), published on `tel/signal`. */
  onSignal?(listener: (sample: object) => void): Disposer;
}

export interface TransportContext {
  log: Logger;
  dataDir: string;
  /** Reads a secret referenced by file (PIN, keys); never log the value. */
  readSecret(path: string): Promise<string>;
}

export interface TransportDefinition<C extends z.ZodType = z.ZodType> {
  kind: TransportKind | TransportKind[];
  config: C;
  create(ctx: TransportContext, config: z.infer<C>): Transport;
  /** Checks for `kefu doctor` (port present, SIM, registration, …); each failure says what to do. */
  doctor?(config: z.infer<C>, ctx: TransportContext): DoctorCheck[];
}

export interface DoctorCheck {
  name: string;
  run(signal: AbortSignal): Promise<{ ok: boolean; detail: string; fix?: string }>;
}

export function defineTransport<C extends z.ZodType>(def: TransportDefinition<C>): TransportDefinition<C> {
  return def;
}

/** Small helper for implementations: holds the state and notifies listeners on change. */
export class StateCell {
  private listeners = new Set<(s: TransportState) => void>();
  current: TransportState = { status: 'down', quality: null, since: Date.now() };

  set(next: Omit<TransportState, 'since'>): void {
    const changed = next.status !== this.current.status || next.quality !== this.current.quality || next.reason !== this.current.reason;
    this.current = { ...next, since: next.status !== this.current.status ? Date.now() : this.current.since };
    if (changed) for (const l of [...this.listeners]) l(this.current);
  }

  on(listener: (s: TransportState) => void): Disposer {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  clear(): void { this.listeners.clear(); }
}
