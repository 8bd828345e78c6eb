// The conversation model: who owns a conversation (bot, queue, agent) is separate from its status.
import { z } from 'zod';

export type Owner = 'bot' | 'queue' | 'agent';
export type ConvStatus = 'open' | 'waiting' | 'active' | 'closed';
export type AgentStatus = 'online' | 'busy' | 'away' | 'offline';
export type Sender = 'customer' | 'bot' | 'agent' | 'system';

export interface Button { label: string; value: string }

export interface FileRef { name: string; mime: string; size: number; /** data: URL; bounded by config.limits.fileBytes */ url: string }

export interface Message {
  id: string;
  convId: string;
  /** per-conversation sequence; a reconnecting client sends the last one it saw */
  seq: number;
  from: Sender;
  kind: 'text' | 'image' | 'file' | 'buttons' | 'system';
  text?: string;
  buttons?: Button[];
  file?: FileRef;
  agentId?: string;
  /** the KB entry a bot answer came from, for the agent's context and statistics */
  kbId?: string;
  /** the same line in both page languages (greeting, system lines): a page shows the one it is in */
  texts?: { zh: string; en: string };
  ts: number;
}

export interface Conversation {
  id: string;
  terminalId: string;
  customerId: string;
  lang: 'zh' | 'en';
  owner: Owner;
  status: ConvStatus;
  business: string | null;
  /** the skill queue it waits in (a business id) */
  queue: string | null;
  agentId: string | null;
  /** the agent of the last human session: the rating goes to them */
  lastAgentId: string | null;
  createdAt: number;
  updatedAt: number;
  enqueuedAt: number | null;
  assignedAt: number | null;
  closedAt: number | null;
  lastSeq: number;
  /** how many bot turns in a row did not help: the second one hands off */
  misses: number;
  lastKbId: string | null;
  handoffReason: string | null;
  rating: Rating | null;
  /** when the customer's last terminal socket went away (null/absent: connected); after the grace period it is abandoned */
  disconnectedAt?: number | null;
  /** why it closed: 'customer' | 'idle' | 'abandoned' */
  closeReason?: string;
}

/** a fresh conversation: the bot owns it */
export function newConversation(o: { id: string; terminalId: string; customerId: string; lang: 'zh' | 'en'; now: number }): Conversation {
  return { id: o.id, terminalId: o.terminalId, customerId: o.customerId, lang: o.lang, owner: 'bot', status: 'open', business: null, queue: null,
    agentId: null, lastAgentId: null, createdAt: o.now, updatedAt: o.now, enqueuedAt: null, assignedAt: null, closedAt: null, lastSeq: 0,
    misses: 0, lastKbId: null, handoffReason: null, rating: null };
}

export const RATING_LEVELS = [5, 4, 3, 2, 1] as const;
export const RATING_LABELS: Record<number, { zh: string; en: string }> = {
  5: { zh: '非常满意', en: 'Very satisfied' }, 4: { zh: '满意', en: 'Satisfied' }, 3: { zh: '一般', en: 'Neutral' },
  2: { zh: '不满意', en: 'Dissatisfied' }, 1: { zh: '非常不满意', en: 'Very dissatisfied' },
};
/** a rating at or below this opens a follow-up task */
export const BAD_RATING = 2;

export interface Rating { level: number; comment?: string; ts: number }

export interface FollowUpTask {
  id: string; convId: string; agentId: string | null; customerId: string; business: string | null;
  level: number; comment?: string; createdAt: number; status: 'open' | 'done'; doneBy?: string; doneAt?: number;
}

export interface AgentRecord {
  id: string; name: string; skills: string[]; capacity: number; role: 'agent' | 'supervisor';
  /** scrypt$N$r$p$salt$hash */
  passwordHash: string;
}

const fileSchema = z.object({ name: z.string().max(200), mime: z.string().max(100), size: z.number().int().nonnegative(), url: z.string() });

/** what a terminal may send */
export const terminalInSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('hello'), terminalId: z.string().min(1).max(100), customerId: z.string().max(100).optional(),
    convId: z.string().optional(), lastSeq: z.number().int().nonnegative().optional(), lang: z.enum(['zh', 'en']).optional() }),
  z.object({ t: z.literal('msg'), text: z.string().max(2000).optional(), value: z.string().max(200).optional(), file: fileSchema.optional() }),
  z.object({ t: z.literal('typing') }),
  z.object({ t: z.literal('read'), seq: z.number().int().nonnegative() }),
  /** text: the button's label in the page's language, shown as the customer's line */
  z.object({ t: z.literal('human'), text: z.string().max(200).optional() }),
  z.object({ t: z.literal('rate'), level: z.number().int().min(1).max(5), comment: z.string().max(500).optional() }),
  z.object({ t: z.literal('end') }),
  z.object({ t: z.literal('ping'), id: z.number().optional() }),
]);
export type TerminalIn = z.infer<typeof terminalInSchema>;

/** what an agent console may send */
export const agentInSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('login'), agentId: z.string().min(1).max(100), password: z.string().max(200) }),
  z.object({ t: z.literal('status'), status: z.enum(['online', 'busy', 'away', 'offline']) }),
  z.object({ t: z.literal('accept'), convId: z.string() }),
  z.object({ t: z.literal('msg'), convId: z.string(), text: z.string().max(4000).optional(), file: fileSchema.optional() }),
  z.object({ t: z.literal('typing'), convId: z.string() }),
  z.object({ t: z.literal('read'), convId: z.string(), seq: z.number().int().nonnegative() }),
  z.object({ t: z.literal('close'), convId: z.string() }),
  z.object({ t: z.literal('transfer'), convId: z.string(), toAgent: z.string().optional(), toQueue: z.string().optional() }),
  z.object({ t: z.literal('history'), convId: z.string() }),
  z.object({ t: z.literal('task_done'), taskId: z.string() }),
  z.object({ t: z.literal('video'), convId: z.string() }),
]);
export type AgentIn = z.infer<typeof agentInSchema>;
