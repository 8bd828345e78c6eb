// The fleet as the master sees it: one record per box, built from the retained `state` birth message, the
// LWT (`online:false`) and the time of the box's last message.
import type { CfgReportedMessage, StateMessage } from '../../protocol/schemas.js';

export interface BoxInfo {
  id: string;
  region: string;
  online: boolean;
  version: string | null;
  /** the link the box uses now (null while offline: its quality then would be stale) */
  transport: { id: string; kind: string; quality: number | null } | null;
  /** the link it used when last online (no quality), null if never heard from */
  lastTransport: { id: string; kind: string } | null;
  plugins: Record<string, string>;
  /** ms epoch of the last message from the box (null: never heard from) */
  lastSeen: number | null;
  /** ms epoch when the current session began (null while offline) */
  connectedSince: number | null;
  cfgReported: CfgReportedMessage | null;
}

export type RegistryListener = (box: BoxInfo) => void;

export interface FleetRegistry {
  /** Applies a `state` message; `retained` ones are history (their own ts counts, not the arrival time). */
  applyState(ref: { region: string; box: string }, msg: StateMessage, opts?: { retained?: boolean; now?: number }): BoxInfo;
  touch(ref: { region: string; box: string }, now?: number): void;
  setCfgReported(ref: { region: string; box: string }, msg: CfgReportedMessage): void;
  /** A box known from the credentials store but never heard from. */
  ensureKnown(id: string, region: string): void;
  get(id: string): BoxInfo | undefined;
  list(): BoxInfo[];
  onChange(listener: RegistryListener): () => void;
}

export function createFleetRegistry(): FleetRegistry {
  const boxes = new Map<string, BoxInfo>();
  const listeners = new Set<RegistryListener>();
  const emit = (b: BoxInfo) => { for (const fn of [...listeners]) fn({ ...b }); };

  function entry(ref: { region: string; box: string }): BoxInfo {
    let b = boxes.get(ref.box);
    if (!b) {
      b = { id: ref.box, region: ref.region, online: false, version: null, transport: null, lastTransport: null, plugins: {}, lastSeen: null, connectedSince: null, cfgReported: null };
      boxes.set(ref.box, b);
    }
    b.region = ref.region;
    return b;
  }

  return {
    applyState(ref, msg, opts = {}) {
      const now = opts.now ?? Date.now();
      const b = entry(ref);
      const wasOnline = b.online;
      b.online = msg.online;
      if (msg.version !== undefined) b.version = msg.version;
      if (msg.transport !== undefined) b.transport = msg.transport;
      if (b.transport) b.lastTransport = { id: b.transport.id, kind: b.transport.kind };
      if (!msg.online) b.transport = null;
      if (msg.plugins !== undefined) b.plugins = msg.plugins;
      if (msg.online) {
        // a birth: a live one began now (box clocks may be off); a retained one when the box said, at the latest now.
        // A repeated birth (the box republishes state on a link switch) keeps the session start.
        if (!wasOnline || b.connectedSince === null) b.connectedSince = opts.retained ? Math.min(msg.ts, now) : now;
        b.lastSeen = Math.max(b.lastSeen ?? 0, opts.retained ? Math.min(msg.ts, now) : now);
      } else {
        // the LWT is sent by the broker, not the box: it says the box went silent, not that we heard it
        b.connectedSince = null;
      }
      emit(b);
      return { ...b };
    },
    touch(ref, now = Date.now()) {
      const b = entry(ref);
      b.lastSeen = Math.max(b.lastSeen ?? 0, now);
    },
    setCfgReported(ref, msg) {
      const b = entry(ref);
      b.cfgReported = msg;
      emit(b);
    },
    ensureKnown(id, region) {
      if (!boxes.has(id)) emit(entry({ box: id, region }));
    },
    get(id) {
      const b = boxes.get(id);
      return b ? { ...b } : undefined;
    },
    list() {
      return [...boxes.values()].map((b) => ({ ...b })).sort((a, b) => a.region.localeCompare(b.region) || a.id.localeCompare(b.id));
    },
    onChange(listener) {
      listeners.add(listener);
      return () => { listeners.delete(listener); };
    },
  };
}
