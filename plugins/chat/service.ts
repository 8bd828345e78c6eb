// The chat service: conversations, the router, queues and agents wired together. Stateful, but all time comes
// from `now()` and all I/O goes through the store, the uplink and the bus, so tests drive it directly.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { EventBus } from '../../daemon/event-bus.js';
import type { PluginUplink } from '../../daemon/plugin-api.js';
import { CommandError } from '../../protocol/errors.js';
import type { ChatStore } from './chat-store.js';
import type { ChatConfig } from './config.js';
import { describeHours, isOpen, resolveHours } from './hours.js';
import { BAD_RATING, newConversation, type AgentStatus, type Conversation, type FileRef, type FollowUpTask, type Message } from './model.js';
import { createQueueEngine } from './queue.js';
import { route, type AnswerSource, type BusinessMode } from './router.js';
import { createAgentDirectory, type AgentDirectory } from './agent-directory.js';
import { createEventHub } from './event-hub.js';
import { createPresence } from './presence.js';

export type ServiceEvent =
  | { type: 'message'; conv: Conversation; message: Message }
  | { type: 'conv'; conv: Conversation }
  | { type: 'queue'; convId: string; position: number; etaMs: number; staffed: boolean; hours: { zh: string; en: string } }
  | { type: 'typing'; convId: string; from: 'customer' | 'agent'; agentId?: string }
  | { type: 'read'; convId: string; seq: number; by: 'customer' | 'agent' }
  | { type: 'rate_request'; convId: string }
  | { type: 'task'; task: FollowUpTask }
  | { type: 'agents' };

export interface ChatServiceDeps {
  store: ChatStore; uplink: PluginUplink; bus: EventBus; log: Logger; config: ChatConfig;
  engine: () => AnswerSource; now?: () => number; readSecret?: (path: string) => Promise<string>;
}

export type ChatService = ReturnType<typeof createChatService>;

export function createChatService(deps: ChatServiceDeps) {
  const { store, uplink, bus, log, config } = deps;
  const now = deps.now ?? Date.now;
  const convs = new Map<string, Conversation>();
  const hub = createEventHub();
  const lastQueueInfo = new Map<string, string>();
  const stats = { messages: 0, aiAnswers: 0, handoffs: 0, ratings: 0, ratingSum: 0 };
  const queue = createQueueEngine({ now, overflowAfterMs: config.queue.overflowAfterSec * 1000, related: config.queue.related, fallbackSkill: config.queue.fallbackSkill,
    defaultHandleMs: config.queue.defaultHandleSec * 1000 });
  const agents: AgentDirectory = createAgentDirectory({ store, queue, config, readSecret: deps.readSecret });
  let timer: NodeJS.Timeout | null = null;
  const presence = createPresence({ now, graceMs: config.limits.reconnectGraceSec * 1000, open: () => convs.values(), get: (id) => convs.get(id), save: (c) => save(c) });

  const emit = hub.emit;
  const publish = (type: string, data: unknown, cls: 'event' | 'bulk' = 'event') => {
    uplink.publish(type, data, { class: cls }).catch((err: unknown) => log.warn({ err, type }, 'chat event not accepted by the outbox'));
  };
  const record = (c: Conversation, kind: string, data: Record<string, unknown> = {}) =>
    bus.emit('archive.record', { customerId: c.customerId, kind, channel: 'chat', data: { convId: c.id, ...data }, ts: now() });
  const modeOf = (business: string): BusinessMode => config.modes[business] ?? (business === 'complaint' ? 'human_only' : config.defaultMode);
  const hoursOf = (business: string) => resolveHours(config.businessHoursBy[business] ?? config.businessHours);
  const humansOpen = (business: string) => isOpen(hoursOf(business), now());
  const hoursText = (business: string) => ({ zh: describeHours(hoursOf(business), 'zh'), en: describeHours(hoursOf(business), 'en') });
  /** a line the conversation's customer reads in their language; both go along so a page can switch */
  const say = (c: Conversation, zh: string, en: string) => ({ text: c.lang === 'en' ? en : zh, texts: { zh, en } });

  async function save(c: Conversation) {
    c.updatedAt = now();
    if (c.status === 'closed') convs.delete(c.id); else convs.set(c.id, c);
    await store.putConv(c);
    emit({ type: 'conv', conv: c });
  }

  async function addMessage(c: Conversation, m: Omit<Message, 'id' | 'convId' | 'seq' | 'ts'>) {
    const message: Message = { id: randomUUID(), convId: c.id, seq: ++c.lastSeq, ts: now(), ...m };
    c.updatedAt = message.ts;
    await store.putMessage(message, c);
    stats.messages++;
    emit({ type: 'message', conv: c, message });
    publish('message', { convId: c.id, terminalId: c.terminalId, customerId: c.customerId, seq: message.seq, from: message.from,
      kind: message.kind, text: message.text, kbId: message.kbId, agentId: message.agentId, file: message.file ? { name: message.file.name, size: message.file.size } : undefined, ts: message.ts },
    // what people wrote is an event; bot and system lines can be rebuilt from the KB id, so they go as bulk (evicted first)
    message.from === 'customer' || message.from === 'agent' ? 'event' : 'bulk');
    return message;
  }

  async function getConv(id: string) {
    const c = convs.get(id) ?? (await store.getConv(id));
    if (!c) throw new CommandError('CHAT_NO_CONVERSATION', `no conversation ${id}`);
    return c;
  }

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
      if (lastQueueInfo.get(info.convId) !== key) { lastQueueInfo.set(info.convId, key); emit({ type: 'queue', ...info, staffed, hours: hoursText(info.skill) }); }
    }
    for (const id of lastQueueInfo.keys()) if (!live.has(id)) lastQueueInfo.delete(id);
  }

  async function handoff(c: Conversation, business: string, reason: string) {
    Object.assign(c, { owner: 'queue', status: 'waiting', queue: business, business, enqueuedAt: now(), handoffReason: reason, agentId: null });
    queue.enqueue(c.id, business, c.enqueuedAt!);
    stats.handoffs++;
    await addMessage(c, { from: 'system', kind: 'system', ...say(c, '正在为您转接人工客服，请稍候…', 'Connecting you to a human agent…') });
    await save(c);
    record(c, 'chat.handoff', { business, reason });
    publish('handoff', { convId: c.id, business, reason, ts: now() });
    await refreshQueue();
  }

  async function endAgentSession(c: Conversation, agentId: string) {
    const started = c.assignedAt;
    queue.release(agentId, c.queue, c.status === 'active' && started ? now() - started : null);
    emit({ type: 'agents' });
  }

  /** the customer left for good (tab closed, kiosk walked away from): out of the queue, the agent freed, history kept */
  async function abandon(c: Conversation) {
    if (c.owner === 'agent' && c.agentId) await endAgentSession(c, c.agentId);
    if (c.owner === 'queue') queue.remove(c.id);
    const agentId = c.agentId;
    await addMessage(c, { from: 'system', kind: 'system', ...say(c, '客户已离开，会话已结束。', 'The customer left; the chat is closed.') });
    Object.assign(c, { status: 'closed', closedAt: now(), closeReason: 'abandoned' });
    await save(c);
    presence.forget(c.id);
    record(c, 'chat.end', { by: 'abandoned', agentId });
    publish('closed', { convId: c.id, business: c.business, reason: 'abandoned', ts: now() });
    log.info({ convId: c.id, owner: c.owner, agent: agentId }, 'conversation abandoned');
    await refreshQueue();
  }

  // a conversation's messages are handled one after another: the answer of one is awaited (the engine runs on its
  // own thread), and the next must see the conversation that answer left (a handoff silences the bot)
  const turns = new Map<string, Promise<unknown>>();
  function inTurn<T>(convId: string, work: () => Promise<T>): Promise<T> {
    const run = (turns.get(convId) ?? Promise.resolve()).then(work);
    const tail = run.catch(() => undefined);
    turns.set(convId, tail);
    void tail.then(() => { if (turns.get(convId) === tail) turns.delete(convId); });
    return run;
  }

  /** one customer message: the echo, the engine's answer (off this thread: awaited) and the conversation's update */
  async function customerTurn(convId: string, m: { text?: string; value?: string; file?: FileRef }) {
    const c = await getConv(convId);
    if (c.status === 'closed') throw new CommandError('CHAT_CLOSED', 'conversation is closed');
    if (m.file && m.file.size > config.limits.fileBytes) throw new CommandError('CHAT_FILE_TOO_LARGE', `file over ${config.limits.fileBytes} bytes`);
    if (m.text && m.text.length > config.limits.textChars) throw new CommandError('CHAT_TEXT_TOO_LONG', `text over ${config.limits.textChars} characters`);
    const label = m.value ? (m.text ?? m.value) : m.text;
    record(c, 'chat.message', { kind: m.file ? 'file' : m.value ? 'button' : 'text' });
    if (m.file) { await addMessage(c, { from: 'customer', kind: m.file.mime.startsWith('image/') ? 'image' : 'file', file: m.file, text: m.text }); return; }
    // the customer's line goes out at once (the terminal's echo); the bot's answer follows when the engine's
    // thread replies, in the same turn, so seq keeps the order
    const writes: Array<Promise<unknown>> = [];
    if (label) writes.push(addMessage(c, { from: 'customer', kind: 'text', text: label }));
    const r = await route(c, { text: m.value ? undefined : m.text, value: m.value }, { engine: deps.engine(), businesses: deps.engine().kb.businesses, modeOf, humansOpen });
    if (r.error) log.warn({ err: r.error, conv: c.id }, 'chat AI unavailable: handed to a human');
    Object.assign(c, r.patch);
    for (const reply of r.replies) {
      writes.push(addMessage(c, { from: 'bot', kind: reply.buttons ? 'buttons' : 'text', text: reply.text, buttons: reply.buttons, kbId: reply.kbId }));
      if (reply.kbId) stats.aiAnswers++;
    }
    if (!r.handoff) writes.push(save(c));
    await Promise.all(writes);
    if (r.handoff) await handoff(c, r.handoff.business, r.handoff.reason);
  }

  const service = {
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
        refreshQueue().catch((err: unknown) => log.error({ err }, 'queue round failed'));
        service.sweepAbandoned().catch((err: unknown) => log.error({ err }, 'abandoned sweep failed'));
        if (now() - lastSweep >= 60_000) { lastSweep = now(); service.closeIdle().catch((err: unknown) => log.error({ err }, 'idle sweep failed')); }
      }, config.queue.tickMs);
      timer.unref();
    },
    stop() { if (timer) clearInterval(timer); timer = null; hub.clear(); presence.clear(); },

    /** a terminal socket now shows this conversation; the returned function says it went away (call it once) */
    link: presence.link,

    /** closes the conversations whose customer stayed away longer than the grace period; returns how many */
    async sweepAbandoned() {
      const gone = presence.expired();
      for (const c of gone) await abandon(c);
      return gone.length;
    },

    /** a terminal connects: resume its conversation (messages after lastSeq) or start one */
    async open(o: { terminalId: string; customerId?: string; convId?: string; lastSeq?: number; lang?: 'zh' | 'en' }) {
      let c = o.convId ? convs.get(o.convId) ?? (await store.getConv(o.convId)) : undefined;
      if (c && (c.terminalId !== o.terminalId || c.status === 'closed')) c = undefined;
      let fresh = false;
      if (!c) {
        c = newConversation({ id: randomUUID(), terminalId: o.terminalId, customerId: o.customerId ?? `anon:${o.terminalId}`, lang: o.lang ?? 'zh', now: now() });
        await save(c);
        record(c, 'chat.start', { terminalId: o.terminalId });
        await addMessage(c, { from: 'bot', kind: 'text', ...say(c, '您好！我是办税服务厅智能客服，请问有什么可以帮您？', 'Hello! I am the smart assistant of the tax service hall. What can I do for you?') });
        fresh = true;
      } else if (o.lang && o.lang !== c.lang) { c.lang = o.lang; await save(c); }
      const messages = await store.messages(c.id, fresh ? 0 : o.lastSeq ?? 0);
      return { conv: c, messages };
    },

    customerMessage(convId: string, m: { text?: string; value?: string; file?: FileRef }): Promise<void> {
      return inTurn(convId, () => customerTurn(convId, m));
    },

    /** the 转人工 button: a structured request, whatever label (language) the page showed */
    async requestHuman(convId: string, label?: string) {
      const c = await getConv(convId);
      await service.customerMessage(convId, { value: 'human', text: label || (c.lang === 'en' ? 'Human agent' : '转人工') });
    },

    typing(convId: string, from: 'customer' | 'agent', agentId?: string) { emit({ type: 'typing', convId, from, agentId }); },
    read(convId: string, seq: number, by: 'customer' | 'agent') { emit({ type: 'read', convId, seq, by }); },

    async rate(convId: string, level: number, comment?: string) {
      const c = await getConv(convId);
      if (!c.lastAgentId && !c.agentId) throw new CommandError('CHAT_NOTHING_TO_RATE', 'no human service to rate yet');
      c.rating = { level, comment, ts: now() };
      stats.ratings++; stats.ratingSum += level;
      await save(c);
      record(c, 'chat.rating', { level, agentId: c.lastAgentId });
      publish('rating', { convId: c.id, agentId: c.lastAgentId, business: c.business, level, ts: now() });
      if (level <= BAD_RATING) {
        const task: FollowUpTask = { id: randomUUID(), convId: c.id, agentId: c.lastAgentId, customerId: c.customerId, business: c.business,
          level, comment, createdAt: now(), status: 'open' };
        await store.putTask(task);
        emit({ type: 'task', task });
        publish('followup', task);
      }
    },

    async end(convId: string) {
      const c = await getConv(convId);
      if (c.status === 'closed') return;
      if (c.owner === 'agent' && c.agentId) await endAgentSession(c, c.agentId);
      if (c.owner === 'queue') queue.remove(c.id);
      Object.assign(c, { status: 'closed', closedAt: now(), closeReason: 'customer' });
      await save(c);
      record(c, 'chat.end', { by: 'customer' });
      publish('closed', { convId: c.id, business: c.business, ts: now() });
    },

    async accept(agentId: string, convId: string) {
      const c = await getConv(convId);
      if (c.agentId !== agentId || c.owner !== 'agent') throw new CommandError('CHAT_NOT_OFFERED', 'conversation is not offered to you');
      if (c.status === 'active') return;
      if (c.disconnectedAt) throw new CommandError('CHAT_CUSTOMER_GONE', 'the customer has left (disconnected); the conversation closes unless they come back');
      const a = agents.get(agentId);
      Object.assign(c, { status: 'active', assignedAt: now(), lastAgentId: agentId });
      await addMessage(c, { from: 'system', kind: 'system', ...say(c, `客服 ${a?.name ?? agentId} 为您服务。`, `Agent ${a?.name ?? agentId} is serving you.`) });
      await save(c);
      record(c, 'chat.agent', { agentId });
    },

    async agentMessage(agentId: string, convId: string, m: { text?: string; file?: FileRef }) {
      const c = await getConv(convId);
      if (c.agentId !== agentId || c.status !== 'active') throw new CommandError('CHAT_NOT_YOURS', 'accept the conversation first');
      if (m.file && m.file.size > config.limits.fileBytes) throw new CommandError('CHAT_FILE_TOO_LARGE', `file over ${config.limits.fileBytes} bytes`);
      await addMessage(c, { from: 'agent', agentId, kind: m.file ? (m.file.mime.startsWith('image/') ? 'image' : 'file') : 'text', text: m.text, file: m.file });
    },

    /** a line from the system into the conversation, in the customer's language (a video call began or ended) */
    async note(convId: string, text: { zh: string; en: string }) {
      const c = await getConv(convId);
      await addMessage(c, { from: 'system', kind: 'system', ...say(c, text.zh, text.en) });
    },

    /** the agent ends the human part: the conversation returns to the bot and the customer is asked to rate */
    async close(agentId: string, convId: string) {
      const c = await getConv(convId);
      if (c.agentId !== agentId) throw new CommandError('CHAT_NOT_YOURS', 'not your conversation');
      await endAgentSession(c, agentId);
      Object.assign(c, { owner: 'bot', status: 'open', agentId: null, lastAgentId: agentId, misses: 0, queue: c.queue });
      await addMessage(c, { from: 'system', kind: 'system', ...say(c, '人工服务已结束，如还有问题可继续咨询智能客服。', 'The agent has ended the session. The assistant is back if you need anything.') });
      await save(c);
      emit({ type: 'rate_request', convId });
      record(c, 'chat.agent_closed', { agentId });
      await refreshQueue();
    },

    async transfer(agentId: string, convId: string, to: { toAgent?: string; toQueue?: string }) {
      const c = await getConv(convId);
      if (c.agentId !== agentId) throw new CommandError('CHAT_NOT_YOURS', 'not your conversation');
      const target = to.toAgent ? queue.agent(to.toAgent) : undefined;
      if (to.toAgent && (!target || target.status === 'offline' || target.load >= target.capacity)) throw new CommandError('CHAT_AGENT_UNAVAILABLE', `agent ${to.toAgent} cannot take it now`);
      await endAgentSession(c, agentId);
      if (target) {
        queue.attach(target.id);
        Object.assign(c, { owner: 'agent', status: 'waiting', agentId: target.id, assignedAt: now() });
        await addMessage(c, { from: 'system', kind: 'system', ...say(c, '正在为您转接其他客服…', 'Transferring you to another agent…') });
        await save(c);
        emit({ type: 'agents' });
      } else {
        await handoff(c, to.toQueue ?? c.queue ?? 'general', 'transfer');
      }
    },

    async setAgentStatus(agentId: string, status: AgentStatus) {
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
    },

    async completeTask(agentId: string, taskId: string) {
      if (agents.get(agentId)?.role !== 'supervisor') throw new CommandError('CHAT_FORBIDDEN', 'only supervisors close follow-up tasks');
      const task = (await store.tasks()).find((t) => t.id === taskId);
      if (!task) throw new CommandError('CHAT_NO_TASK', `no task ${taskId}`);
      Object.assign(task, { status: 'done', doneBy: agentId, doneAt: now() });
      await store.putTask(task);
      emit({ type: 'task', task });
    },

    /** closes bot-only conversations nobody touched for limits.idleCloseMin; returns how many */
    async closeIdle() {
      const limit = now() - config.limits.idleCloseMin * 60_000;
      const idle = [...convs.values()].filter((c) => c.owner === 'bot' && c.updatedAt < limit);
      for (const c of idle) {
        Object.assign(c, { status: 'closed', closedAt: now(), closeReason: 'idle' });
        await save(c);
        record(c, 'chat.end', { by: 'idle' });
      }
      return idle.length;
    },

    conversation: getConv,
    history: (convId: string, afterSeq = 0) => store.messages(convId, afterSeq),
    openConversations: () => [...convs.values()],
    async customerContext(convId: string) {
      const c = await getConv(convId);
      const previous = (await store.customerConvs(c.customerId)).filter((id) => id !== convId).length;
      return { customerId: c.customerId, terminalId: c.terminalId, business: c.business, handoffReason: c.handoffReason, lastKbId: c.lastKbId, previousConversations: previous };
    },
    tasks: () => store.tasks(),
    stats() {
      const list = [...convs.values()];
      return { ...stats, avgRating: stats.ratings ? stats.ratingSum / stats.ratings : null, open: list.length,
        waiting: queue.waiting().length, withAgent: list.filter((c) => c.owner === 'agent').length,
        disconnected: list.filter((c) => c.disconnectedAt).length,
        agentsOnline: queue.agents().filter((a) => a.status === 'online').length };
    },
    refreshQueue,
    /** queue info for a terminal that just said hello */
    queueInfo(convId: string) {
      const w = queue.waiting().find((x) => x.convId === convId);
      const skill = w?.skill ?? 'general';
      return { position: queue.position(convId), etaMs: queue.etaMs(convId), staffed: queue.staffed(skill), hours: hoursText(skill) };
    },
  };
  return service;
}
