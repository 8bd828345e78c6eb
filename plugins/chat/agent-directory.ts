// Agent accounts: provisioned from config (password files) or by command, stored with scrypt hashes.
import { readFile } from 'node:fs/promises';
import { CommandError } from '../../protocol/errors.js';
import type { ChatStore } from './chat-store.js';
import type { ChatConfig } from './config.js';
import type { AgentRecord } from './model.js';
import { hashPassword, verifyPassword } from './passwords.js';
import type { QueueEngine } from './queue.js';

export interface AgentInput { id: string; name: string; skills: string[]; capacity?: number; role?: 'agent' | 'supervisor'; password?: string; passwordHash?: string }
export type PublicAgent = Omit<AgentRecord, 'passwordHash'> & { status: string; load: number };

export interface AgentDirectory {
  load(): Promise<void>;
  set(a: AgentInput): Promise<PublicAgent>;
  login(id: string, password: string): Promise<PublicAgent>;
  get(id: string): AgentRecord | undefined;
  list(): PublicAgent[];
}

export function createAgentDirectory(deps: { store: ChatStore; queue: QueueEngine; config: ChatConfig; readSecret?: (path: string) => Promise<string> }): AgentDirectory {
  const records = new Map<string, AgentRecord>();
  const readSecret = deps.readSecret ?? ((p: string) => readFile(p, 'utf8'));
  const register = (a: AgentRecord) => {
    records.set(a.id, a);
    const q = deps.queue.agent(a.id);
    deps.queue.upsertAgent({ id: a.id, skills: a.skills, capacity: a.capacity, status: q?.status ?? 'offline' });
  };
  const view = (a: AgentRecord): PublicAgent => {
    const { passwordHash: _hidden, ...rest } = a;
    const q = deps.queue.agent(a.id);
    return { ...rest, status: q?.status ?? 'offline', load: q?.load ?? 0 };
  };
  return {
    async load() {
      for (const a of await deps.store.agents()) register(a);
      for (const c of deps.config.agents) {
        const secret = (await readSecret(c.passwordFile)).trim();
        const passwordHash = secret.startsWith('scrypt$') ? secret : await hashPassword(secret);
        register({ id: c.id, name: c.name, skills: c.skills, capacity: c.capacity, role: c.role, passwordHash });
      }
    },
    async set(a) {
      if (!a.passwordHash && (a.password ?? '').length < 8) throw new CommandError('CHAT_WEAK_PASSWORD', 'agent passwords need at least 8 characters');
      const passwordHash = a.passwordHash ?? await hashPassword(a.password!);
      const rec: AgentRecord = { id: a.id, name: a.name, skills: a.skills, capacity: a.capacity ?? 3, role: a.role ?? 'agent', passwordHash };
      await deps.store.putAgent(rec);
      register(rec);
      return view(rec);
    },
    async login(id, password) {
      const a = records.get(id);
      // verify against a dummy hash for unknown ids too, so timing does not reveal which ids exist
      const ok = await verifyPassword(password, a?.passwordHash ?? 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=');
      if (!a || !ok) throw new CommandError('CHAT_LOGIN_FAILED', 'wrong agent id or password');
      return view(a);
    },
    get: (id) => records.get(id),
    list: () => [...records.values()].map(view),
  };
}
