// What every part of the chat service shares: the open conversations, the clock, and the three ways out (the
// store, the uplink to the master, the bus to the archive), plus the events terminals and consoles follow.
// All time comes from `now()` and all I/O goes through these, so tests drive the service directly.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { EventBus } from '../../daemon/event-bus.js';
import type { PluginUplink } from '../../daemon/plugin-api.js';
import { CommandError } from '../../protocol/errors.js';
import type { ChatStore } from './chat-store.js';
import type { ChatConfig } from './config.js';
import type { AnswerSource } from './router.js';
import { createEventHub } from './event-hub.js';
import type { Conversation, Message } from './model.js';

export interface ChatServiceDeps {
  store: ChatStore; uplink: PluginUplink; bus: EventBus; log: Logger; config: ChatConfig;
  engine: () => AnswerSource; now?: () => number; readSecret?: (path: string) => Promise<string>;
}

export type ServiceCore = ReturnType<typeof createServiceCore>;

export function createServiceCore(deps: ChatServiceDeps) {
  const { store, uplink, bus, log, config } = deps;
  const now = deps.now ?? Date.now;
  /** the conversations not closed yet; a closed one is only in the store */
  const convs = new Map<string, Conversation>();
  const hub = createEventHub();
  const emit = hub.emit;
  const stats = { messages: 0, aiAnswers: 0, handoffs: 0, ratings: 0, ratingSum: 0 };

  const publish = (type: string, data: unknown, cls: 'event' | 'bulk' = 'event') => {
    uplink.publish(type, data, { class: cls }).catch((err: unknown) => log.warn({ err, type }, 'chat event not accepted by the outbox'));
  };
  const record = (c: Conversation, kind: string, data: Record<string, unknown> = {}) =>
    bus.emit('archive.record', { customerId: c.customerId, kind, channel: 'chat', data: { convId: c.id, ...data }, ts: now() });
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

  /** a system line (handoff, agent joined, customer left, call notes) in the customer's language */
  const systemLine = (c: Conversation, zh: string, en: string) => addMessage(c, { from: 'system', kind: 'system', ...say(c, zh, en) });

  async function getConv(id: string) {
    const c = convs.get(id) ?? (await store.getConv(id));
    if (!c) throw new CommandError('CHAT_NO_CONVERSATION', `no conversation ${id}`);
    return c;
  }

  return { store, log, config, engine: deps.engine, now, convs, hub, emit, stats, publish, record, say, save, addMessage, systemLine, getConv };
}
