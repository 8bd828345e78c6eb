// What an agent does with a conversation offered to them: accept it, write, hand it back to the bot, transfer it.
import { CommandError } from '../../protocol/errors.js';
import type { AgentDirectory } from './agent-directory.js';
import type { FileRef } from './model.js';
import type { QueueEngine } from './queue.js';
import type { QueueAssignment } from './queue-assignment.js';
import type { ServiceCore } from './service-core.js';

export function createAgentActions(core: ServiceCore, assignment: QueueAssignment, queue: QueueEngine, agents: AgentDirectory) {
  const { now, getConv, save, systemLine, emit, config } = core;

  async function yours(agentId: string, convId: string) {
    const c = await getConv(convId);
    if (c.agentId !== agentId) throw new CommandError('CHAT_NOT_YOURS', 'not your conversation');
    return c;
  }

  return {
    async accept(agentId: string, convId: string) {
      const c = await getConv(convId);
      if (c.agentId !== agentId || c.owner !== 'agent') throw new CommandError('CHAT_NOT_OFFERED', 'conversation is not offered to you');
      if (c.status === 'active') return;
      if (c.disconnectedAt) throw new CommandError('CHAT_CUSTOMER_GONE', 'the customer has left (disconnected); the conversation closes unless they come back');
      const name = agents.get(agentId)?.name ?? agentId;
      Object.assign(c, { status: 'active', assignedAt: now(), lastAgentId: agentId });
      await systemLine(c, `客服 ${name} 为您服务。`, `Agent ${name} is serving you.`);
      await save(c);
      core.record(c, 'chat.agent', { agentId });
    },

    async agentMessage(agentId: string, convId: string, m: { text?: string; file?: FileRef }) {
      const c = await getConv(convId);
      if (c.agentId !== agentId || c.status !== 'active') throw new CommandError('CHAT_NOT_YOURS', 'accept the conversation first');
      if (m.file && m.file.size > config.limits.fileBytes) throw new CommandError('CHAT_FILE_TOO_LARGE', `file over ${config.limits.fileBytes} bytes`);
      await core.addMessage(c, { from: 'agent', agentId, kind: m.file ? (m.file.mime.startsWith('image/') ? 'image' : 'file') : 'text', text: m.text, file: m.file });
    },

    /** the agent ends the human part: the conversation returns to the bot and the customer is asked to rate */
    async close(agentId: string, convId: string) {
      const c = await yours(agentId, convId);
      assignment.releaseAgent(c, agentId);
      Object.assign(c, { owner: 'bot', status: 'open', agentId: null, lastAgentId: agentId, misses: 0 });
      await systemLine(c, '人工服务已结束，如还有问题可继续咨询智能客服。', 'The agent has ended the session. The assistant is back if you need anything.');
      await save(c);
      emit({ type: 'rate_request', convId });
      core.record(c, 'chat.agent_closed', { agentId });
      await assignment.refreshQueue();
    },

    async transfer(agentId: string, convId: string, to: { toAgent?: string; toQueue?: string }) {
      const c = await yours(agentId, convId);
      const target = to.toAgent ? queue.agent(to.toAgent) : undefined;
      if (to.toAgent && (!target || target.status === 'offline' || target.load >= target.capacity)) throw new CommandError('CHAT_AGENT_UNAVAILABLE', `agent ${to.toAgent} cannot take it now`);
      assignment.releaseAgent(c, agentId);
      if (target) {
        queue.attach(target.id);
        Object.assign(c, { owner: 'agent', status: 'waiting', agentId: target.id, assignedAt: now() });
        await systemLine(c, '正在为您转接其他客服…', 'Transferring you to another agent…');
        await save(c);
        emit({ type: 'agents' });
      } else {
        await assignment.handoff(c, to.toQueue ?? c.queue ?? 'general', 'transfer');
      }
    },
  };
}
