// Persistence of conversations, messages, agents and follow-up tasks in the plugin's level sublevel.
import type { Store } from '../../daemon/store.js';
import type { AgentRecord, Conversation, FollowUpTask, Message } from './model.js';

const pad = (n: number) => String(n).padStart(10, '0');

export interface ChatStore {
  putConv(c: Conversation): Promise<void>;
  getConv(id: string): Promise<Conversation | undefined>;
  openConvs(): Promise<Conversation[]>;
  /** the message and the conversation's new lastSeq in one write */
  putMessage(m: Message, c: Conversation): Promise<void>;
  messages(convId: string, afterSeq?: number, limit?: number): Promise<Message[]>;
  customerConvs(customerId: string): Promise<string[]>;
  putAgent(a: AgentRecord): Promise<void>;
  agents(): Promise<AgentRecord[]>;
  putTask(t: FollowUpTask): Promise<void>;
  tasks(): Promise<FollowUpTask[]>;
}

export function createChatStore(store: Store): ChatStore {
  const values = async <T>(prefix: string, opts: { gt?: string; limit?: number } = {}) => {
    const out: T[] = [];
    for await (const v of store.values({ gt: opts.gt ?? prefix, lt: `${prefix}\uffff`, limit: opts.limit ?? -1 })) out.push(v as T);
    return out;
  };
  return {
    async putConv(c) {
      await store.batch([
        { type: 'put', key: `c:${c.id}`, value: c },
        { type: 'put', key: `k:${c.customerId}:${c.id}`, value: c.createdAt },
        c.status === 'closed' ? { type: 'del', key: `o:${c.id}` } : { type: 'put', key: `o:${c.id}`, value: 1 },
      ]);
    },
    async getConv(id) {
      return (await store.get(`c:${id}`)) as Conversation | undefined;
    },
    async openConvs() {
      const ids: string[] = [];
      for await (const k of store.keys({ gt: 'o:', lt: 'o:\uffff' })) ids.push(k.slice(2));
      const convs = await Promise.all(ids.map((id) => store.get(`c:${id}`)));
      return convs.filter(Boolean) as Conversation[];
    },
    async putMessage(m, c) {
      await store.batch([{ type: 'put', key: `m:${m.convId}:${pad(m.seq)}`, value: m }, { type: 'put', key: `c:${c.id}`, value: c }]);
    },
    messages(convId, afterSeq = 0, limit) {
      return values<Message>(`m:${convId}:`, { gt: `m:${convId}:${pad(afterSeq)}`, limit });
    },
    async customerConvs(customerId) {
      const ids: string[] = [];
      for await (const k of store.keys({ gt: `k:${customerId}:`, lt: `k:${customerId}:\uffff` })) ids.push(k.slice(`k:${customerId}:`.length));
      return ids;
    },
    async putAgent(a) { await store.put(`a:${a.id}`, a); },
    agents: () => values<AgentRecord>('a:'),
    async putTask(t) { await store.put(`t:${t.id}`, t); },
    tasks: () => values<FollowUpTask>('t:'),
  };
}
