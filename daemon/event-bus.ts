// Typed in-process event bus. Listeners are registered per owner and removed together when that owner stops.
import type { BusEvents } from './bus-events.js';

type Listener<K extends keyof BusEvents> = (payload: BusEvents[K]) => void | Promise<void>;

export interface EventBus {
  emit<K extends keyof BusEvents>(event: K, payload: BusEvents[K]): void;
  on<K extends keyof BusEvents>(event: K, owner: string, listener: Listener<K>): () => void;
  removeOwner(owner: string): void;
}

export function createEventBus(onListenerError: (event: string, owner: string, err: unknown) => void): EventBus {
  const listeners = new Map<string, Array<{ owner: string; fn: (p: unknown) => void | Promise<void> }>>();
  return {
    emit(event, payload) {
      for (const { owner, fn } of [...(listeners.get(event as string) ?? [])]) {
        try {
          const r = fn(payload);
          if (r && typeof (r as Promise<void>).catch === 'function') (r as Promise<void>).catch((e) => onListenerError(event as string, owner, e));
        } catch (err) {
          onListenerError(event as string, owner, err);
        }
      }
    },
    on(event, owner, listener) {
      const entry = { owner, fn: listener as (p: unknown) => void };
      const list = listeners.get(event as string) ?? [];
      list.push(entry);
      listeners.set(event as string, list);
      return () => {
        const l = listeners.get(event as string);
        if (l) listeners.set(event as string, l.filter((e) => e !== entry));
      };
    },
    removeOwner(owner) {
      for (const [event, list] of listeners) listeners.set(event, list.filter((e) => e.owner !== owner));
    },
  };
}
