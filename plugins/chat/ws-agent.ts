// The agent console's WebSocket: login, status, queue/conversation state pushes, chat, transfer, tasks.
import type { WebSocket } from 'ws';
import type { Logger } from 'pino';
import { randomUUID } from 'node:crypto';
import { CommandError, toErrorBody } from '../../protocol/errors.js';
import { agentInSchema, RATING_LABELS } from './model.js';
import type { ChatService, ServiceEvent } from './service.js';
import type { CallEvent, VideoEscalation } from './video-escalation.js';

export interface AgentSessions { tokens: Map<string, string>; sockets: Map<string, number> }

export function handleAgent(socket: WebSocket, deps: { service: ChatService; log: Logger; sessions: AgentSessions; canned: Array<{ title: string; text: string }>; businesses: () => Record<string, string>; video: VideoEscalation }): void {
  const { service, log, sessions } = deps;
  let agentId: string | null = null;
  let token: string | null = null;
  let unsubscribe: (() => void) | null = null;
  let unsubscribeCalls: (() => void) | null = null;
  let pending: NodeJS.Timeout | null = null;
  const send = (m: unknown) => { if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(m)); };

  const pushState = async () => {
    pending = null;
    if (!agentId) return;
    const me = service.agents.get(agentId);
    const open = service.openConversations();
    const tasks = (await service.tasks()).filter((t) => t.status === 'open' && (me?.role === 'supervisor' || t.agentId === agentId));
    const queue = service.queue.waiting().map((w) => {
      const c = open.find((x) => x.id === w.convId);
      return { convId: w.convId, skill: w.skill, since: w.since, position: service.queue.position(w.convId), customerId: c?.customerId, reason: c?.handoffReason, gone: c?.disconnectedAt ?? null };
    });
    const mine = open.filter((c) => c.agentId === agentId);
    send({ t: 'state', queue, mine, agents: service.agents.list(), tasks, stats: service.stats() });
  };
  const schedule = () => { if (!pending) pending = setTimeout(() => { pushState().catch((err: unknown) => log.warn({ err }, 'agent state push failed')); }, 30); };
  const mineIds = () => new Set(service.openConversations().filter((c) => c.agentId === agentId).map((c) => c.id));

  const onEvent = (e: ServiceEvent) => {
    if (e.type === 'message' && e.conv.agentId === agentId) send({ t: 'msg', convId: e.conv.id, m: e.message });
    else if (e.type === 'typing' && e.from === 'customer' && mineIds().has(e.convId)) send({ t: 'typing', convId: e.convId });
    else if (e.type === 'read' && e.by === 'customer' && mineIds().has(e.convId)) send({ t: 'read', convId: e.convId, seq: e.seq });
    if (e.type === 'conv' || e.type === 'agents' || e.type === 'task' || e.type === 'queue') schedule();
  };
  const onCall = (e: CallEvent) => { if (e.call.agentId === agentId || mineIds().has(e.call.convId)) send({ t: `call${e.type === 'started' ? '' : `_${e.type}`}`, ...e.call }); };

  socket.on('message', (raw) => {
    let msg;
    try {
      msg = agentInSchema.parse(JSON.parse(String(raw)));
    } catch {
      send({ t: 'error', code: 'CHAT_BAD_MESSAGE', message: 'malformed message' });
      return;
    }
    const run = async () => {
      if (msg.t === 'login') {
        const agent = await service.agents.login(msg.agentId, msg.password);
        agentId = agent.id;
        token = randomUUID();
        sessions.tokens.set(token, agent.id);
        sessions.sockets.set(agent.id, (sessions.sockets.get(agent.id) ?? 0) + 1);
        unsubscribe = service.subscribe(onEvent);
        unsubscribeCalls = deps.video.subscribe(onCall);
        await service.setAgentStatus(agent.id, 'online');
        send({ t: 'hello', agent: service.agents.list().find((a) => a.id === agent.id), token, canned: deps.canned, businesses: deps.businesses(), ratingLabels: RATING_LABELS });
        await pushState();
        return;
      }
      if (!agentId) throw new CommandError('CHAT_LOGIN_REQUIRED', 'log in first');
      switch (msg.t) {
        case 'status': await service.setAgentStatus(agentId, msg.status); break;
        case 'accept': await service.accept(agentId, msg.convId); await sendHistory(msg.convId); break;
        case 'msg': await service.agentMessage(agentId, msg.convId, msg); break;
        case 'typing': service.typing(msg.convId, 'agent', agentId); break;
        case 'read': service.read(msg.convId, msg.seq, 'agent'); break;
        case 'close': await service.close(agentId, msg.convId); break;
        case 'transfer': await service.transfer(agentId, msg.convId, msg); break;
        case 'history': await sendHistory(msg.convId); break;
        case 'task_done': await service.completeTask(agentId, msg.taskId); break;
        case 'video': send({ t: 'call', ...(await deps.video.request(agentId, msg.convId)) }); break;
        default: break;
      }
    };
    const sendHistory = async (convId: string) => {
      const c = await service.conversation(convId);
      if (c.agentId !== agentId && service.agents.get(agentId!)?.role !== 'supervisor') throw new CommandError('CHAT_NOT_YOURS', 'not your conversation');
      send({ t: 'history', convId, messages: await service.history(convId), context: await service.customerContext(convId) });
    };
    run().catch((err: unknown) => {
      log.debug({ err }, 'agent request failed');
      send({ t: 'error', ...toErrorBody(err) });
    });
  });

  socket.on('close', () => {
    unsubscribe?.();
    unsubscribeCalls?.();
    if (pending) clearTimeout(pending);
    if (token) sessions.tokens.delete(token);
    if (!agentId) return;
    const left = (sessions.sockets.get(agentId) ?? 1) - 1;
    sessions.sockets.set(agentId, left);
    if (left <= 0) service.setAgentStatus(agentId, 'offline').catch((err: unknown) => log.warn({ err }, 'agent offline failed'));
  });
}
