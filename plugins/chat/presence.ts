// Whether a conversation's customer is still there: terminal sockets per conversation. The last one closing marks
// the conversation disconnected; a new one clears the mark; past the grace period the caller abandons it.
import type { Conversation } from './model.js';

export interface PresenceDeps {
  now: () => number;
  graceMs: number;
  /** the open conversations (the service's live map) */
  open: () => Iterable<Conversation>;
  get: (convId: string) => Conversation | undefined;
  /** persists and announces a changed conversation (the agent console shows the mark) */
  save: (c: Conversation) => Promise<void>;
}

export type Presence = ReturnType<typeof createPresence>;

export function createPresence(deps: PresenceDeps) {
  const links = new Map<string, number>();
  /** bumped by clear(): unlinks from before it are ignored */
  let generation = 0;
  return {
    /** a terminal socket now shows this conversation; the returned function says it went away (once) */
    async link(convId: string): Promise<() => Promise<void>> {
      links.set(convId, (links.get(convId) ?? 0) + 1);
      const c = deps.get(convId);
      if (c?.disconnectedAt) { c.disconnectedAt = null; await deps.save(c); }
      let done = false;
      const mine = generation;
      return async () => {
        // sockets closed by a stop say nothing about the customer, and the store may be closing
        if (done || mine !== generation) return;
        done = true;
        const left = (links.get(convId) ?? 1) - 1;
        if (left > 0) { links.set(convId, left); return; }
        links.delete(convId);
        const gone = deps.get(convId);
        if (gone && gone.status !== 'closed') { gone.disconnectedAt = deps.now(); await deps.save(gone); }
      };
    },
    /** conversations whose customer stayed away longer than the grace period */
    expired(): Conversation[] {
      const now = deps.now();
      return [...deps.open()].filter((c) => c.disconnectedAt && now - c.disconnectedAt >= deps.graceMs && !links.get(c.id));
    },
    forget(convId: string) { links.delete(convId); },
    clear() { links.clear(); generation++; },
  };
}
