// The customer rates the human service; a bad rating opens a follow-up task that only a supervisor closes.
import { randomUUID } from 'node:crypto';
import { CommandError } from '../../protocol/errors.js';
import type { AgentDirectory } from './agent-directory.js';
import { BAD_RATING, type FollowUpTask } from './model.js';
import type { ServiceCore } from './service-core.js';

export function createRatingFollowUp(core: ServiceCore, agents: AgentDirectory) {
  const { store, now, emit, stats } = core;
  return {
    async rate(convId: string, level: number, comment?: string) {
      const c = await core.getConv(convId);
      if (!c.lastAgentId && !c.agentId) throw new CommandError('CHAT_NOTHING_TO_RATE', 'no human service to rate yet');
      c.rating = { level, comment, ts: now() };
      stats.ratings++; stats.ratingSum += level;
      await core.save(c);
      core.record(c, 'chat.rating', { level, agentId: c.lastAgentId });
      core.publish('rating', { convId: c.id, agentId: c.lastAgentId, business: c.business, level, ts: now() });
      if (level <= BAD_RATING) {
        const task: FollowUpTask = { id: randomUUID(), convId: c.id, agentId: c.lastAgentId, customerId: c.customerId, business: c.business,
          level, comment, createdAt: now(), status: 'open' };
        await store.putTask(task);
        emit({ type: 'task', task });
        core.publish('followup', task);
      }
    },

    async completeTask(agentId: string, taskId: string) {
      if (agents.get(agentId)?.role !== 'supervisor') throw new CommandError('CHAT_FORBIDDEN', 'only supervisors close follow-up tasks');
      const task = (await store.tasks()).find((t) => t.id === taskId);
      if (!task) throw new CommandError('CHAT_NO_TASK', `no task ${taskId}`);
      Object.assign(task, { status: 'done', doneBy: agentId, doneAt: now() });
      await store.putTask(task);
      emit({ type: 'task', task });
    },

    tasks: () => store.tasks(),
  };
}
