// The chat service: conversations, the router, queues and agents wired together. Each concern has its file
// (service-core, queue-assignment, conversation-lifecycle, customer-messages, agent-actions, rating-follow-up);
// this one builds them over one shared core, restores the open conversations on start and runs the ticks.
import { createAgentDirectory } from './agent-directory.js';
import { createAgentActions } from './agent-actions.js';
import { createBusinessPolicy } from './business-policy.js';
import { createConversationLifecycle } from './conversation-lifecycle.js';
import { createCustomerMessages } from './customer-messages.js';
import { createPresence } from './presence.js';
import { createQueueEngine } from './queue.js';
import { createQueueAssignment } from './queue-assignment.js';
import { createRatingFollowUp } from './rating-follow-up.js';
import { createServiceCore, type ChatServiceDeps } from './service-core.js';

export type { ServiceEvent } from './event-hub.js';
export type { ChatServiceDeps } from './service-core.js';
export type ChatService = ReturnType<typeof createChatService>;

export function createChatService(deps: ChatServiceDeps) {
  const core = createServiceCore(deps);
  const { store, config, log, now, convs, hub, emit } = core;
  const queue = createQueueEngine({ now, overflowAfterMs: config.queue.overflowAfterSec * 1000, related: config.queue.related, fallbackSkill: config.queue.fallbackSkill,
    defaultHandleMs: config.queue.defaultHandleSec * 1000 });
  const agents = createAgentDirectory({ store, queue, config, readSecret: deps.readSecret });
  const policy = createBusinessPolicy(config, now);
  const presence = createPresence({ now, graceMs: config.limits.reconnectGraceSec * 1000, open: () => convs.values(), get: (id) => convs.get(id), save: core.save });
  const assignment = createQueueAssignment(core, queue, policy);
  const lifecycle = createConversationLifecycle(core, assignment, presence);
  let timer: NodeJS.Timeout | null = null;

  return {
    queue, agents,
    subscribe: hub.subscribe,
    subscribeConv: hub.subscribeConv,
    async start() {
      if (timer) return;
      await agents.load();
      for (const c of await store.openConvs()) {
        convs.set(c.id, c);
        if (c.owner === 'queue') queue.enqueue(c.id, c.queue ?? 'general', c.enqueuedAt ?? c.createdAt);
        // an agent's conversation survives a restart; the agent must log in again to be offered new ones
        if (c.owner === 'agent' && c.agentId) queue.attach(c.agentId);
        // no terminal is connected right after a restart: each customer gets the grace period to come back
        c.disconnectedAt ??= now();
      }
      let lastSweep = now();
      timer = setInterval(() => {
        assignment.refreshQueue().catch((err: unknown) => log.error({ err }, 'queue round failed'));
        lifecycle.sweepAbandoned().catch((err: unknown) => log.error({ err }, 'abandoned sweep failed'));
        if (now() - lastSweep >= 60_000) { lastSweep = now(); lifecycle.closeIdle().catch((err: unknown) => log.error({ err }, 'idle sweep failed')); }
      }, config.queue.tickMs);
      timer.unref();
    },
    stop() { if (timer) clearInterval(timer); timer = null; hub.clear(); presence.clear(); },

    /** a terminal socket now shows this conversation; the returned function says it went away (call it once) */
    link: presence.link,
    ...lifecycle,
    ...createCustomerMessages(core, assignment, policy),
    ...createAgentActions(core, assignment, queue, agents),
    ...createRatingFollowUp(core, agents),
    setAgentStatus: assignment.setAgentStatus,
    refreshQueue: assignment.refreshQueue,
    queueInfo: assignment.queueInfo,

    typing(convId: string, from: 'customer' | 'agent', agentId?: string) { emit({ type: 'typing', convId, from, agentId }); },
    read(convId: string, seq: number, by: 'customer' | 'agent') { emit({ type: 'read', convId, seq, by }); },
    /** a line from the system into the conversation, in the customer's language (a video call began or ended) */
    async note(convId: string, text: { zh: string; en: string }) { await core.systemLine(await core.getConv(convId), text.zh, text.en); },

    conversation: core.getConv,
    history: (convId: string, afterSeq = 0) => store.messages(convId, afterSeq),
    openConversations: () => [...convs.values()],
    async customerContext(convId: string) {
      const c = await core.getConv(convId);
      const previous = (await store.customerConvs(c.customerId)).filter((id) => id !== convId).length;
      return { customerId: c.customerId, terminalId: c.terminalId, business: c.business, handoffReason: c.handoffReason, lastKbId: c.lastKbId, previousConversations: previous };
    },
    stats() {
      const list = [...convs.values()];
      return { ...core.stats, avgRating: core.stats.ratings ? core.stats.ratingSum / core.stats.ratings : null, open: list.length,
        waiting: queue.waiting().length, withAgent: list.filter((c) => c.owner === 'agent').length,
        disconnected: list.filter((c) => c.disconnectedAt).length,
        agentsOnline: queue.agents().filter((a) => a.status === 'online').length };
    },
  };
}
