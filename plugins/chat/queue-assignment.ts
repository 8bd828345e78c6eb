// Queues and agents: a conversation handed to a skill queue, queued ones offered to free agents, an agent freed
// or going offline, and what a waiting customer is told (position, wait, whether anyone is on duty, the hours).
import type { BusinessPolicy } from './business-policy.js';
import type { AgentStatus, Conversation } from './model.js';
import type { QueueEngine } from './queue.js';
import type { ServiceCore } from './service-core.js';

export type QueueAssignment = ReturnType<typeof createQueueAssignment>;

export function createQueueAssignment(core: ServiceCore, queue: QueueEngine, policy: BusinessPolicy) {
  const { convs, now, emit, save, log } = core;
  /** the last queue line each waiting terminal was sent, so an unchanged one is not sent again every tick */
  const lastQueueInfo = new Map<string, string>();

  /** offers queued conversations to free agents and tells every waiting customer where they stand */
  async function refreshQueue() {
    for (const a of queue.assign()) {
      const c = convs.get(a.convId);
      if (!c) { queue.release(a.agentId, null, null); continue; }
      Object.assign(c, { owner: 'agent', status: 'waiting', agentId: a.agentId, assignedAt: now() });
      await save(c);
      log.info({ convId: c.id, agent: a.agentId, overflow: a.overflow }, 'conversation assigned');
      emit({ type: 'agents' });
    }
    const live = new Set<string>();
    for (const info of queue.snapshot()) {
      live.add(info.convId);
      const staffed = queue.staffed(info.skill);
      const key = `${info.position}/${Math.round(info.etaMs / 1000)}/${staffed}`;
      if (lastQueueInfo.get(info.convId) !== key) { lastQueueInfo.set(info.convId, key); emit({ type: 'queue', ...info, staffed, hours: policy.hoursText(info.skill) }); }
    }
    for (const id of lastQueueInfo.keys()) if (!live.has(id)) lastQueueInfo.delete(id);
  }

  async function handoff(c: Conversation, business: string, reason: string) {
    Object.assign(c, { owner: 'queue', status: 'waiting', queue: business, business, enqueuedAt: now(), handoffReason: reason, agentId: null });
    queue.enqueue(c.id, business, c.enqueuedAt!);
    core.stats.handoffs++;
    await core.systemLine(c, '正在为您转接人工客服，请稍候…', 'Connecting you to a human agent…');
    await save(c);
    core.record(c, 'chat.handoff', { business, reason });
    core.publish('handoff', { convId: c.id, business, reason, ts: now() });
    await refreshQueue();
  }

  /** the agent's part is over: their capacity is free again, and a served conversation counts toward the wait estimate */
  function releaseAgent(c: Conversation, agentId: string) {
    const started = c.assignedAt;
    queue.release(agentId, c.queue, c.status === 'active' && started ? now() - started : null);
    emit({ type: 'agents' });
  }

  /** out of humans' hands, wherever it is: off its agent, or out of the queue */
  function leaveHumans(c: Conversation) {
    if (c.owner === 'agent' && c.agentId) releaseAgent(c, c.agentId);
    if (c.owner === 'queue') queue.remove(c.id);
  }

  async function setAgentStatus(agentId: string, status: AgentStatus) {
    queue.setStatus(agentId, status);
    if (status === 'offline') {
      // offers nobody accepted go back to the queue, keeping their place
      for (const c of [...convs.values()].filter((x) => x.agentId === agentId && x.status === 'waiting')) {
        queue.release(agentId, null, null);
        Object.assign(c, { owner: 'queue', agentId: null });
        queue.enqueue(c.id, c.queue ?? 'general', c.enqueuedAt ?? now());
        await save(c);
      }
    }
    emit({ type: 'agents' });
    await refreshQueue();
  }

  /** queue info for a terminal that just said hello */
  function queueInfo(convId: string) {
    const w = queue.waiting().find((x) => x.convId === convId);
    const skill = w?.skill ?? 'general';
    return { position: queue.position(convId), etaMs: queue.etaMs(convId), staffed: queue.staffed(skill), hours: policy.hoursText(skill) };
  }

  return { refreshQueue, handoff, releaseAgent, leaveHumans, setAgentStatus, queueInfo };
}
