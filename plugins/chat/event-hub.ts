// Fan-out of service events: global listeners (agent consoles, metrics) and per-conversation listeners
// (terminals), indexed so that one event costs O(its listeners), not O(connected terminals).
import type { Conversation, FollowUpTask, Message } from './model.js';

/** what the chat service tells terminals, agent consoles and metrics */
export type ServiceEvent =
  | { type: 'message'; conv: Conversation; message: Message }
  | { type: 'conv'; conv: Conversation }
  | { type: 'queue'; convId: string; position: number; etaMs: number; staffed: boolean; hours: { zh: string; en: string } }
  | { type: 'typing'; convId: string; from: 'customer' | 'agent'; agentId?: string }
  | { type: 'read'; convId: string; seq: number; by: 'customer' | 'agent' }
  | { type: 'rate_request'; convId: string }
  | { type: 'task'; task: FollowUpTask }
  | { type: 'agents' };

type Listener = (e: ServiceEvent) => void;

export function createEventHub() {
  const all = new Set<Listener>();
  const byConv = new Map<string, Set<Listener>>();
  const convOf = (e: ServiceEvent) => ('conv' in e ? e.conv.id : 'convId' in e ? e.convId : null);
  return {
    emit(e: ServiceEvent) {
      for (const l of all) l(e);
      const id = convOf(e);
      const scoped = id ? byConv.get(id) : undefined;
      if (scoped) for (const l of scoped) l(e);
    },
    /** every event */
    subscribe(fn: Listener) { all.add(fn); return () => { all.delete(fn); }; },
    /** the events of one conversation */
    subscribeConv(convId: string, fn: Listener) {
      const set = byConv.get(convId) ?? new Set<Listener>();
      set.add(fn);
      byConv.set(convId, set);
      return () => { set.delete(fn); if (set.size === 0 && byConv.get(convId) === set) byConv.delete(convId); };
    },
    clear() { all.clear(); byConv.clear(); },
  };
}
