// Calls: a call id bound to a room (and, for escalations, to a chat conversation). Terminals invited to a
// call get an `invite` on their idle signalling socket; rejoining uses the same call id.
import { randomUUID } from 'node:crypto';
import { KefuError } from '../../protocol/errors.js';
import type { EventBus } from '../../daemon/event-bus.js';
import type { SignallingHub } from './signalling/hub.js';
import './bus.js';

export interface Call { id: string; room: string; conversationId: string | null; requestId: string | null; createdAt: number; invited: string[] }

export function createCallRegistry(deps: { bus: EventBus; hub: () => SignallingHub; maxCalls: number }) {
  const calls = new Map<string, Call>();
  const joinPath = (c: Call, role: string) => `/p/video/call.html?call=${encodeURIComponent(c.id)}&room=${encodeURIComponent(c.room)}&role=${role}`;
  return {
    create(args: { conversationId?: string; terminals?: string[]; requestId?: string; room?: string }): Call & { joinPath: string } {
      if (calls.size >= deps.maxCalls) throw new KefuError('TOO_MANY_CALLS', `at most ${deps.maxCalls} calls at once`);
      const id = randomUUID();
      const c: Call = {
        id, room: args.room ?? `call-${id.slice(0, 8)}`, conversationId: args.conversationId ?? null,
        requestId: args.requestId ?? null, createdAt: Date.now(), invited: args.terminals ?? [],
      };
      calls.set(id, c);
      for (const term of c.invited) {
        deps.hub().sendToTerminal(term, { t: 'invite', callId: id, room: c.room, conversationId: c.conversationId, path: joinPath(c, 'customer') });
      }
      deps.bus.emit('video.call.created', { callId: id, room: c.room, conversationId: c.conversationId, requestId: c.requestId, joinPath: joinPath(c, 'agent'), invited: c.invited });
      return { ...c, joinPath: joinPath(c, 'agent') };
    },
    get: (id: string) => calls.get(id),
    byRoom: (room: string) => [...calls.values()].find((c) => c.room === room),
    roomOf: (id: string) => calls.get(id)?.room,
    list: () => [...calls.values()],
    end(id: string, reason: string) {
      const c = calls.get(id);
      if (!c) throw new KefuError('UNKNOWN_CALL', `no call ${id}`);
      calls.delete(id);
      deps.hub().endRoom(c.room, reason);
      deps.bus.emit('video.call.ended', { callId: id, room: c.room, conversationId: c.conversationId, reason, durationS: Math.round((Date.now() - c.createdAt) / 1000) });
    },
  };
}
export type CallRegistry = ReturnType<typeof createCallRegistry>;
