// The video plugin: a werift SFU for calls of up to 32, signalling on /p/video/ws, the call page, QoS to the
// master and the bus, and voice broadcast.
import { createReadStream } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { definePlugin } from '../../daemon/plugin-api.js';
import { toErrorBody } from '../../protocol/errors.js';
import { videoConfig } from './config.js';
import { createSignallingHub, type SignallingHub } from './signalling/hub.js';
import { createCallRegistry } from './calls.js';
import { createBroadcaster } from './broadcast/broadcaster.js';
import { DEFAULT_THRESHOLDS } from './qos/metrics.js';
import './bus.js';

const webDir = join(dirname(fileURLToPath(import.meta.url)), 'web');

export default definePlugin({
  name: 'video',
  apiVersion: 1,
  config: videoConfig,
  setup(ctx) {
    const cfg = ctx.config;
    let hub: SignallingHub | null = null;
    const getHub = () => { if (!hub) throw new Error('video plugin not started'); return hub; };
    const calls = createCallRegistry({ bus: ctx.bus, hub: getHub, maxCalls: cfg.maxRooms });
    const broadcaster = createBroadcaster({
      dir: join(ctx.box.dataDir, 'broadcast'), espeak: cfg.broadcast.espeak, voice: cfg.broadcast.voice,
      maxClipBytes: cfg.broadcast.maxClipBytes, ackTimeoutMs: cfg.broadcast.ackTimeoutMs, hub: getHub,
      onStatus: (id, target, status, reason) => ctx.bus.emit('video.broadcast.status', { id, target, status, ...(reason ? { reason } : {}) }),
    });
    const participantsGauge = ctx.metrics.gauge('video_participants', 'participants in all rooms');
    const roomsGauge = ctx.metrics.gauge('video_rooms', 'open rooms');
    const shedGauge = ctx.metrics.gauge('video_sfu_shed_level', 'SFU load shedding: 0 none, each level halves grid thumbnails\' frame rate');

    ctx.http.ws('/ws', (socket) => getHub().handleSocket(socket));
    ctx.http.static(webDir);
    ctx.http.route({
      method: 'GET', url: '/broadcast/:file',
      handler: async (req, reply) => {
        const id = String((req.params as { file: string }).file).replace(/\.wav$/, '');
        const path = broadcaster.file(id);
        if (!path) return reply.code(404).send({ code: 'NOT_FOUND', message: 'no such broadcast' });
        return reply.type('audio/wav').send(createReadStream(path));
      },
    });
    ctx.http.route({ method: 'GET', url: '/rooms', handler: async () => ({ rooms: [...getHub().rooms.values()].map((r) => ({ id: r.id, participants: r.participants().map((p) => ({
      id: p.id, name: p.name, role: p.role, muted: p.muted, away: p.away, audible: p.audible,
      rx: p.pub ? { ...p.pub.rx } : null, pubState: p.pub?.state ?? null, activeLayers: p.pub?.activeLayers ?? null, streams: p.pub ? [...p.pub.video.keys(), ...(p.pub.audio ? ['audio'] : [])] : null,
      slots: (p.sub?.slots ?? []).map((s) => ({ participant: s.publisherId, layer: s.video.layer, target: s.video.target, ...s.video.counters })),
    })), speaker: r.activeSpeaker })) }) });

    const callArgs = z.object({ conversationId: z.string().max(128).optional(), terminals: z.array(z.string().max(64)).max(31).optional(), room: z.string().regex(/^[\w.:-]{1,64}$/).optional() });
    ctx.commands.handle('video.call', callArgs, (args) => calls.create(args),
      { description: 'open a call (room: its name, default a new one); invites the terminals; answers the call id and the agent join path' });
    ctx.commands.handle('video.hangup', z.object({ callId: z.string() }), (args) => { calls.end(args.callId, 'hangup'); return { ok: true }; },
      { description: 'end a call for everyone in it' });
    ctx.commands.handle('video.rooms', z.object({}).strict(), () => [...getHub().rooms.values()].map((r) => ({ id: r.id, participants: r.size, speaker: r.activeSpeaker })),
      { description: 'open rooms: id, participant count, active speaker' });
    ctx.commands.handle('video.broadcast', z.object({
      text: z.string().min(1).max(2000).optional(), clipBase64: z.string().max(8 * 1024 * 1024).optional(), voice: z.string().max(32).optional(),
      terminals: z.array(z.string().max(64)).max(500).optional(), rooms: z.array(z.string().max(64)).max(64).optional(),
    }), async (args) => {
      const b = await broadcaster.send(args);
      return { id: b.id, url: b.url, targets: b.targets };
    }, { description: 'announce text (espeak-ng, voice) or clipBase64 (WAV/MP3/Ogg) on terminals and/or rooms; neither: every connected terminal' });
    ctx.commands.handle('video.broadcast.status', z.object({ id: z.string() }), (args) => broadcaster.get(args.id) ?? null,
      { description: 'delivery of broadcast id per target: sent, delivered, played or failed (with the reason)' });

    return {
      async start() {
        if (hub) return;
        const turnCredential = cfg.turn?.credentialFile ? (await ctx.readSecret(cfg.turn.credentialFile)).trim() : undefined;
        hub = createSignallingHub({
          log: ctx.log, maxParticipants: cfg.maxParticipants, lastN: cfg.lastN, maxRooms: cfg.maxRooms, rejoinGraceMs: cfg.rejoinGraceMs,
          ...(cfg.thumbnailFps ? { thumbnailFps: cfg.thumbnailFps } : {}), sealWorker: cfg.sealWorker,
          thresholds: { ...DEFAULT_THRESHOLDS, ...cfg.thresholds },
          net: {
            ...(cfg.portRange ? { portRange: cfg.portRange } : {}), additionalHosts: cfg.additionalHosts, socketBufferBytes: cfg.socketBufferBytes,
            ...(cfg.turn ? { turn: { urls: cfg.turn.urls, username: cfg.turn.username, credential: turnCredential } } : {}),
          },
          roomOfCall: (id) => calls.roomOf(id),
          onParticipant: (e) => {
            const call = calls.byRoom(e.room);
            ctx.bus.emit('video.call.participant', { callId: call?.id ?? null, ...e });
            // a call ends when its room empties, and an escalated call when its agent leaves (the customer is not
            // left alone in a call); a dropped socket only counts once the rejoin grace has passed
            if (call && e.event === 'left') {
              const left = getHub().rooms.get(e.room)?.participants() ?? [];
              if (!left.length) calls.end(call.id, 'empty');
              else if (call.conversationId && e.role === 'agent' && !left.some((p) => p.role === 'agent')) calls.end(call.id, 'agent_left');
            }
            const all = [...getHub().rooms.values()];
            participantsGauge.set(all.reduce((s, r) => s + r.size, 0)); roomsGauge.set(all.length);
          },
          onQos: (room, rows) => {
            shedGauge.set(getHub().overloadLevel);
            const callId = calls.byRoom(room)?.id ?? null;
            ctx.bus.emit('video.qos', { room, callId, rows });
            ctx.uplink.telemetry('video', { room, callId, participants: rows.length, rows });
          },
          onBroadcastStatus: (id, target, status, reason) => broadcaster.status(id, target, status, reason),
          onInviteReply: (callId, terminal, answer) => {
            const call = calls.get(callId);
            if (call?.invited.includes(terminal)) ctx.bus.emit('video.call.invite', { callId, conversationId: call.conversationId, terminal, answer });
          },
        });
        ctx.bus.on('video.call.request', 'video', (req) => {
          try { calls.create({ conversationId: req.conversationId, terminals: req.terminals, requestId: req.requestId }); } catch (err) {
            ctx.log.warn({ err }, 'call request refused');
            const { code, message } = toErrorBody(err);
            if (req.requestId) ctx.bus.emit('video.call.refused', { requestId: req.requestId, conversationId: req.conversationId, code, message });
          }
        });
        hub.start();
      },
      async stop() {
        ctx.bus.removeOwner('video');
        broadcaster.stop();
        const h = hub; hub = null;
        await h?.stop();
      },
      health() {
        const rooms = hub ? [...hub.rooms.values()] : [];
        return { ok: !!hub, detail: { rooms: rooms.length, participants: rooms.reduce((s, r) => s + r.size, 0), calls: calls.list().length } };
      },
    };
  },
});
