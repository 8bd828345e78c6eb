// Live updates for dashboards over WebSocket: a snapshot on connect, then box changes, new events and
// stats once a second (only while someone is watching).
import type { WebSocket } from 'ws';
import type { FleetRegistry } from '../fleet/registry.js';
import type { StoredEvent } from '../ingest/event-store.js';

export interface FeedHub {
  attach(socket: WebSocket): void;
  event(e: StoredEvent): void;
  start(): void;
  stop(): void;
}

export function createFeedHub(deps: { registry: FleetRegistry; stats: () => unknown; intervalMs?: number }): FeedHub {
  const sockets = new Set<WebSocket>();
  let timer: NodeJS.Timeout | null = null;
  let offRegistry: (() => void) | null = null;

  const send = (msg: unknown) => {
    if (!sockets.size) return; // every ingested event passes here: no JSON for nobody
    const text = JSON.stringify(msg);
    // a slow dashboard must not make the master buffer without bound
    for (const s of sockets) if (s.readyState === s.OPEN && s.bufferedAmount < 1_000_000) s.send(text);
  };
  const tick = () => { if (sockets.size) send({ type: 'stats', stats: deps.stats() }); };

  return {
    start() {
      if (offRegistry) return;
      offRegistry = deps.registry.onChange((box) => send({ type: 'box', box }));
      timer = setInterval(tick, deps.intervalMs ?? 1000);
    },
    stop() {
      offRegistry?.();
      offRegistry = null;
      if (timer) clearInterval(timer);
      timer = null;
      for (const s of sockets) s.close(1001, 'master stopping');
      sockets.clear();
    },
    attach(socket) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => sockets.delete(socket));
      socket.send(JSON.stringify({ type: 'hello', boxes: deps.registry.list(), stats: deps.stats() }));
    },
    event(e) {
      send({ type: 'event', event: { id: e.id, box: e.box, region: e.region, plugin: e.plugin, type: e.type, ts: e.ts } });
    },
  };
}
