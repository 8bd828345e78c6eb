// A conversation's life on the customer's side: a terminal opens (or resumes) it, and it closes whichever way
// it ends: the customer ends it, leaves for good (abandoned), or leaves the bot idle. All three close the same way.
import { randomUUID } from 'node:crypto';
import { newConversation, type Conversation } from './model.js';
import type { Presence } from './presence.js';
import type { QueueAssignment } from './queue-assignment.js';
import type { ServiceCore } from './service-core.js';

export type CloseReason = 'customer' | 'abandoned' | 'idle';

/** what differs between the ways a conversation closes; the rest is `closeConversation` */
const CLOSINGS: Record<CloseReason, { line?: { zh: string; en: string } }> = {
  // the customer pressed 结束 and sees the page say so; the bot-only idle one has nobody reading
  customer: {},
  idle: {},
  // the agent may still be looking at the conversation: tell them why it ended
  abandoned: { line: { zh: '客户已离开，会话已结束。', en: 'The customer left; the chat is closed.' } },
};

export function createConversationLifecycle(core: ServiceCore, assignment: QueueAssignment, presence: Presence) {
  const { convs, now, config } = core;

  /** the one closing step: out of the queue or off its agent, closed, kept in the store, told to the archive and the master */
  async function closeConversation(c: Conversation, reason: CloseReason) {
    if (c.status === 'closed') return;
    const agentId = c.agentId;
    const withHumans = c.owner !== 'bot';
    assignment.leaveHumans(c);
    const { line } = CLOSINGS[reason];
    if (line) await core.systemLine(c, line.zh, line.en);
    Object.assign(c, { status: 'closed', closedAt: now(), closeReason: reason });
    await core.save(c);
    presence.forget(c.id);
    core.record(c, 'chat.end', { by: reason, agentId });
    core.publish('closed', { convId: c.id, business: c.business, reason, ts: now() });
    core.log.info({ convId: c.id, owner: c.owner, agent: agentId, reason }, 'conversation closed');
    // a freed agent takes the next customer, and those behind move up, now rather than at the next tick
    if (withHumans) await assignment.refreshQueue();
  }

  return {
    /** a terminal connects: resume its conversation (messages after lastSeq) or start one */
    async open(o: { terminalId: string; customerId?: string; convId?: string; lastSeq?: number; lang?: 'zh' | 'en' }) {
      let c = o.convId ? convs.get(o.convId) ?? (await core.store.getConv(o.convId)) : undefined;
      if (c && (c.terminalId !== o.terminalId || c.status === 'closed')) c = undefined;
      let fresh = false;
      if (!c) {
        c = newConversation({ id: randomUUID(), terminalId: o.terminalId, customerId: o.customerId ?? `anon:${o.terminalId}`, lang: o.lang ?? 'zh', now: now() });
        await core.save(c);
        core.record(c, 'chat.start', { terminalId: o.terminalId });
        await core.addMessage(c, { from: 'bot', kind: 'text', ...core.say(c, '您好！我是办税服务厅智能客服，请问有什么可以帮您？', 'Hello! I am the smart assistant of the tax service hall. What can I do for you?') });
        fresh = true;
      } else if (o.lang && o.lang !== c.lang) { c.lang = o.lang; await core.save(c); }
      const messages = await core.store.messages(c.id, fresh ? 0 : o.lastSeq ?? 0);
      return { conv: c, messages };
    },

    /** the customer ends the chat */
    async end(convId: string) { await closeConversation(await core.getConv(convId), 'customer'); },

    /** closes the conversations whose customer stayed away longer than the grace period; returns how many */
    async sweepAbandoned() {
      const gone = presence.expired();
      for (const c of gone) await closeConversation(c, 'abandoned');
      return gone.length;
    },

    /** closes bot-only conversations nobody touched for limits.idleCloseMin; returns how many */
    async closeIdle() {
      const limit = now() - config.limits.idleCloseMin * 60_000;
      const idle = [...convs.values()].filter((c) => c.owner === 'bot' && c.updatedAt < limit);
      for (const c of idle) await closeConversation(c, 'idle');
      return idle.length;
    },
  };
}
