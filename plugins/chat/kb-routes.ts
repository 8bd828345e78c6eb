// REST for operators: read the KB, upsert/delete entries (validated, written atomically, engine reloaded),
// try a question, read statistics. Writes need a supervisor's session token from the agent console.
import { writeFile, rename } from 'node:fs/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PluginHttp } from '../../daemon/plugin-api.js';
import { toErrorBody } from '../../protocol/errors.js';
import { kbEntrySchema, parseKb, type KnowledgeBase } from './ai/kb-schema.js';
import type { ThreadedEngine } from './answerer/threaded-engine.js';
import type { AgentSessions } from './ws-agent.js';
import type { ChatService } from './service.js';

export interface KbHolder { engine(): ThreadedEngine; replace(kb: KnowledgeBase): Promise<void>; path: string }

export function registerKbRoutes(http: PluginHttp, deps: { kb: KbHolder; service: () => ChatService; sessions: AgentSessions }): void {
  const { kb, service, sessions } = deps;
  const supervisor = (req: FastifyRequest, reply: FastifyReply) => {
    const token = String(req.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
    const agentId = sessions.tokens.get(token);
    if (!agentId || service().agents.get(agentId)?.role !== 'supervisor') {
      reply.code(403).send({ ok: false, error: { code: 'CHAT_FORBIDDEN', message: 'a supervisor session is required' } });
      return false;
    }
    return true;
  };
  const save = async (next: KnowledgeBase) => {
    const valid = parseKb(next);
    const tmp = `${kb.path}.tmp-${process.pid}`;
    await writeFile(tmp, `${JSON.stringify(valid, null, 1)}\n`);
    await rename(tmp, kb.path);
    await kb.replace(valid);
  };
  const fail = (reply: FastifyReply, err: unknown) => reply.code(400).send({ ok: false, error: toErrorBody(err) });

  http.route({ method: 'GET', url: '/api/kb', handler: async () => kb.engine().kb });
  http.route({ method: 'POST', url: '/api/ask', handler: async (req: FastifyRequest) => {
    const q = String((req.body as { q?: unknown } | undefined)?.q ?? '');
    return kb.engine().ask(q);
  } });
  http.route({ method: 'GET', url: '/api/stats', handler: async () => service().stats() });
  http.route({ method: 'PUT', url: '/api/kb/entries/:id', handler: async (req: FastifyRequest, reply: FastifyReply) => {
    if (!supervisor(req, reply)) return reply;
    const id = (req.params as { id: string }).id;
    const parsed = kbEntrySchema.safeParse({ ...(req.body as object), id });
    if (!parsed.success) return fail(reply, new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')));
    const cur = kb.engine().kb;
    const entries = cur.kb.some((e) => e.id === id) ? cur.kb.map((e) => (e.id === id ? parsed.data : e)) : [...cur.kb, parsed.data];
    try { await save({ ...cur, kb: entries }); } catch (err) { return fail(reply, err); }
    return { ok: true, entry: parsed.data };
  } });
  http.route({ method: 'DELETE', url: '/api/kb/entries/:id', handler: async (req: FastifyRequest, reply: FastifyReply) => {
    if (!supervisor(req, reply)) return reply;
    const id = (req.params as { id: string }).id;
    const cur = kb.engine().kb;
    if (!cur.kb.some((e) => e.id === id)) return reply.code(404).send({ ok: false, error: { code: 'CHAT_NO_ENTRY', message: `no entry ${id}` } });
    await save({ ...cur, kb: cur.kb.filter((e) => e.id !== id) });
    return { ok: true };
  } });
}
