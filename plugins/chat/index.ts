// The chat plugin: terminal ↔ AI ↔ human agents. Wires the engine, the service, the sockets and the routes.
import { fileURLToPath } from 'node:url';
import { copyFile, mkdir, access } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { WebSocket } from 'ws';
import { definePlugin } from '../../daemon/plugin-api.js';
import { PluginError } from '../../protocol/errors.js';
import { loadKb } from './ai/kb-schema.js';
import { loadPhrasingPacks } from './ai/phrasings.js';
import { createThreadedEngine, type ThreadedEngine } from './answerer/threaded-engine.js';
import { createChatStore } from './chat-store.js';
import { chatConfigSchema } from './config.js';
import { registerKbRoutes, type KbHolder } from './kb-routes.js';
import { createChatService, type ChatService } from './service.js';
import { createVideoEscalation, type VideoEscalation } from './video-escalation.js';
import { handleAgent, type AgentSessions } from './ws-agent.js';
import { handleTerminal } from './ws-terminal.js';
import './bus-events.js';

export { chatConfigSchema } from './config.js';
export type { ChatConfig } from './config.js';

const DEFAULT_CANNED = [
  { title: '问候', text: '您好，我是人工客服，很高兴为您服务。请问有什么可以帮您？' },
  { title: '请稍候', text: '好的，我帮您查询一下，请稍候。' },
  { title: '材料清单', text: '办理该业务请携带：本人有效身份证件、营业执照（单位业务）及相关合同或证明材料。' },
  { title: '结束语', text: '请问还有其他可以帮您的吗？如无其他问题，稍后请为本次服务评价，感谢您的支持！' },
];

/** KPIs for the monitoring plugin and the master (`tel/chat`) */
const TELEMETRY_MS = 15_000;

const WEB = fileURLToPath(new URL('./web/', import.meta.url));
const SAMPLE_KB = fileURLToPath(new URL('./kb-sample.json', import.meta.url));

export default definePlugin({
  name: 'chat',
  apiVersion: 1,
  config: chatConfigSchema,
  setup(ctx) {
    const cfg = ctx.config;
    let engine: ThreadedEngine | null = null;
    let service: ChatService | null = null;
    let video: VideoEscalation | null = null;
    let started = false;
    let telemetryTimer: NodeJS.Timeout | null = null;
    const sessions: AgentSessions = { tokens: new Map(), sockets: new Map() };
    const currentEngine = () => {
      if (!engine) throw new PluginError('CHAT_NOT_STARTED', 'chat', 'chat plugin is not started');
      return engine;
    };
    const kbPath = cfg.kb ?? join(ctx.box.dataDir, 'chat', 'kb.json');
    // errors name the setting, like every other config error; the seeded copy is named by no setting
    const kbKey = cfg.kb ? 'plugins.chat.kb' : 'chat KB (the copy in the data folder)';
    const kb: KbHolder = { engine: currentEngine, replace: (next) => currentEngine().load(next), path: kbPath };
    const svc = () => {
      if (!service) throw new PluginError('CHAT_NOT_STARTED', 'chat', 'chat plugin is not started');
      return service;
    };
    const messages = ctx.metrics.counter('chat_messages_total', 'chat messages');

    // routes are declared during setup; their handlers reach the service only once started
    const sockets = new Set<WebSocket>();
    const track = (socket: WebSocket) => { sockets.add(socket); socket.on('close', () => sockets.delete(socket)); };
    ctx.http.ws('/ws/terminal', (socket) => {
      if (!service) { socket.close(1013, 'starting'); return; }
      track(socket);
      handleTerminal(socket, { service, log: ctx.log, messagesPer10s: cfg.limits.messagesPer10s });
    });
    ctx.http.ws('/ws/agent', (socket) => {
      if (!service || !video) { socket.close(1013, 'starting'); return; }
      track(socket);
      handleAgent(socket, { service, video, log: ctx.log, sessions, canned: cfg.canned.length ? cfg.canned : DEFAULT_CANNED, businesses: () => currentEngine().kb.businesses });
    });
    ctx.http.static(WEB);
    registerKbRoutes(ctx.http, { kb, service: svc, sessions });

    ctx.commands.handle('chat.kb.reload', z.object({}).strict(), async () => {
      await kb.replace(await loadKb(kbPath, kbKey));
      return { entries: currentEngine().kb.kb.length };
    }, { description: 're-read the knowledge base file and rebuild the answering engine; answers the entry count' });
    ctx.commands.handle('chat.stats', z.object({}).strict(), () => svc().stats(), { description: 'conversations, queues, agents and ratings now' });
    // prefer passwordHash (an scrypt string from `kefu`-side hashing) so no plain password travels in a command
    ctx.commands.handle('chat.agent.set', z.object({ id: z.string().min(1), name: z.string().min(1), skills: z.array(z.string()).min(1),
      capacity: z.number().int().positive().optional(), role: z.enum(['agent', 'supervisor']).optional(),
      password: z.string().optional(), passwordHash: z.string().startsWith('scrypt$').optional() })
      .refine((a) => Boolean(a.password) !== Boolean(a.passwordHash), 'give exactly one of password or passwordHash'), (a) => svc().agents.set(a),
    { description: 'add or change an agent (skills = queues; exactly one of password or passwordHash, an scrypt string)' });
    ctx.commands.handle('chat.ask', z.object({ q: z.string().min(1) }), ({ q }) => currentEngine().ask(q), { description: "the AI's answer to question q, as a terminal would get it (decision, entry, confidence)" });

    return {
      async start() {
        if (started) return;
        if (!cfg.kb) {
          // first start without a configured KB: give operators the sample to edit
          const exists = await access(kbPath).then(() => true, () => false);
          if (!exists) { await mkdir(dirname(kbPath), { recursive: true }); await copyFile(SAMPLE_KB, kbPath); }
        }
        const next = createThreadedEngine({ log: ctx.log, phrasings: cfg.phrasings ? await loadPhrasingPacks() : [] });
        await next.load(await loadKb(kbPath, kbKey));
        engine = next;
        service = createChatService({ store: createChatStore(ctx.store), uplink: ctx.uplink, bus: ctx.bus, log: ctx.log, config: cfg,
          engine: currentEngine, readSecret: (p) => ctx.readSecret(p) });
        service.subscribe((e) => { if (e.type === 'message') messages.inc(); });
        await service.start();
        video = createVideoEscalation({ service, bus: ctx.bus, log: ctx.log });
        telemetryTimer = setInterval(() => {
          if (!service) return;
          const stats = service.stats();
          ctx.uplink.telemetry('chat', stats);
          ctx.bus.emit('chat.stats', stats);
        }, TELEMETRY_MS);
        telemetryTimer.unref();
        started = true;
      },
      async stop() {
        if (!started) return;
        if (telemetryTimer) clearInterval(telemetryTimer);
        telemetryTimer = null;
        for (const s of sockets) s.close(1001, 'stopping');
        sockets.clear();
        video?.stop();
        video = null;
        service?.stop();
        service = null;
        const e = engine;
        engine = null;
        await e?.stop();
        started = false;
      },
      health() {
        if (!service || !engine) return { ok: false, detail: { reason: 'not started' } };
        return { ok: true, detail: { kbEntries: engine.kb.kb.length, ...service.stats() } };
      },
    };
  },
});
