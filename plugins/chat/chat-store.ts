// Persistence of conversations, messages, agents and follow-up tasks in the plugin's level sublevel.
import type { AbstractBatchOperation } from 'abstract-level';
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

type Op = { type: 'put'; key: string; value: unknown } | { type: 'del'; key: string };

/**
 * Group commit: writes issued in the same few milliseconds go to level as one batch, so a busy hall costs one
 * threadpool job per tick instead of one per message. Each caller still resolves only once its write is done.
 */
function createWriter(store: Store) {
  let pending: Array<{ ops: Op[]; done: (err?: unknown) => void }> = [];
  let scheduled = false;
  const flush = async () => {
    scheduled = false;
    const group = pending;
    pending = [];
    // a message and the saves around it rewrite the same conversation record: the last write of a key wins,
    // so each record is encoded once per flush, not once per call
    const last = new Map<string, Op>();
    for (const g of group) for (const op of g.ops) { last.delete(op.key); last.set(op.key, op); }
    try {
      await store.batch([...last.values()] as AbstractBatchOperation<Store, string, unknown>[]);
      for (const g of group) g.done();
    } catch (err) {
      for (const g of group) g.done(err);
    }
  };
  return (ops: Op[]) => new Promise<void>((resolve, reject) => {
    pending.push({ ops, done: (err) => (err ? reject(err) : resolve()) });
    if (!scheduled) { scheduled = true; setImmediate(() => { void flush(); }); }
  });
}

export function createChatStore(store: Store): ChatStore {
  const write = createWriter(store);
  // the customer and open-list index keys change only when a conversation starts or closes
  const indexed = new Map<string, boolean>();
  const values = async <T>(prefix: string, opts: { gt?: string; limit?: number } = {}) => {
    const out: T[] = [];
    for await (const v of store.values({ gt: opts.gt ?? prefix, lt: `${prefix}\uffff`, limit: opts.limit ?? -1 })) out.push(v as T);
    return out;
  };
  return {
    async putConv(c) {
      const open = c.status !== 'closed';
      const ops: Op[] = [{ type: 'put', key: `c:${c.id}`, value: c }];
      if (indexed.get(c.id) !== open) {
        ops.push({ type: 'put', key: `k:${c.customerId}:${c.id}`, value: c.createdAt }, open ? { type: 'put', key: `o:${c.id}`, value: 1 } : { type: 'del', key: `o:${c.id}` });
      }
      await write(ops);
      if (open) indexed.set(c.id, true); else indexed.delete(c.id);
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
      await write([{ type: 'put', key: `m:${m.convId}:${pad(m.seq)}`, value: m }, { type: 'put', key: `c:${c.id}`, value: c }]);
    },
    messages(convId, afterSeq = 0, limit) {
      return values<Message>(`m:${convId}:`, { gt: `m:${convId}:${pad(afterSeq)}`, limit });
    },
    async customerConvs(customerId) {
      const ids: string[] = [];
      for await (const k of store.keys({ gt: `k:${customerId}:`, lt: `k:${customerId}:\uffff` })) ids.push(k.slice(`k:${customerId}:`.length));
      return ids;
    },
    async putAgent(a) { await write([{ type: 'put', key: `a:${a.id}`, value: a }]); },
    agents: () => values<AgentRecord>('a:'),
    async putTask(t) { await write([{ type: 'put', key: `t:${t.id}`, value: t }]); },
    tasks: () => values<FollowUpTask>('t:'),
  };
}
