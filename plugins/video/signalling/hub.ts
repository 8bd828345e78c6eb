// The signalling hub: one per plugin. Owns the rooms and the sockets (participants and idle terminals),
// validates every message, answers errors with codes, and drives the periodic room and QoS ticks.
import type { WebSocket } from 'ws';
import type { Logger } from 'pino';
import { KefuError, toErrorBody } from '../../../protocol/errors.js';
import { createRoom, type Room } from '../sfu/room.js';
import { createSealPool, type SealPool } from '../sfu/seal-pool.js';
import { createOverloadGauge } from '../sfu/overload.js';
import type { PeerNetConfig } from '../sfu/types.js';
import { createQosCollector, type SfuTileCounters } from '../qos/collector.js';
import type { Thresholds } from '../qos/metrics.js';
import { parseClientMessage, type ClientMessage } from './messages.js';

export interface HubOptions {
  log: Logger;
  maxParticipants: number;
  lastN: number;
  net: PeerNetConfig;
  /** a participant whose socket dropped keeps its tile this long, waiting for a rejoin */
  rejoinGraceMs: number;
  maxRooms: number;
  /** cap on a grid thumbnail's frame rate (see the video config) */
  thumbnailFps?: number;
  /** seal subscribers' SRTP on a worker thread (see the video config); default off */
  sealWorker?: boolean;
  /** halve grid thumbnails' frame rate while the event loop lags (overload.ts); default on */
  shedLoad?: boolean;
  thresholds?: Thresholds;
  /** resolves a call id to its room (calls are created by the call registry) */
  roomOfCall?(callId: string): string | undefined;
  onParticipant?(e: { room: string; participant: string; role: string; event: 'joined' | 'left' | 'rejoined' }): void;
  onQos?(room: string, rows: ReturnType<ReturnType<typeof createQosCollector>['rollup']>): void;
  onBroadcastStatus?(id: string, terminal: string, status: 'delivered' | 'played' | 'failed', reason?: string): void;
  /** a terminal answered or declined a call invitation */
  onInviteReply?(callId: string, terminal: string, answer: 'accepted' | 'declined'): void;
}

interface Session { room?: string; participant?: string; terminal?: string; bucket: number; bucketAt: number }

const RATE_PER_S = 60;
/** WebSocket close code a browser sends for a page that is closed or navigated away from */
const GOING_AWAY = 1001;

export function createSignallingHub(opts: HubOptions) {
  const rooms = new Map<string, Room>();
  const qos = new Map<string, ReturnType<typeof createQosCollector>>();
  const bound = new Map<string, WebSocket>(); // `${room}/${participant}` → socket
  const terminals = new Map<string, WebSocket>();
  const graceTimers = new Map<string, NodeJS.Timeout>();
  const prevPackets = new Map<string, { packets: number; nacks: number }>();
  // a thumbnail sends ~15 packets/s: link loss is judged over the last few reports, not one
  const nackWindow = new Map<string, Array<{ packets: number; nacks: number }>>();
  const timers: NodeJS.Timeout[] = [];
  let qosTicks = 0;
  let sealer: SealPool | null = null;
  const overload = createOverloadGauge();

  const send = (ws: WebSocket | undefined, msg: Record<string, unknown>) => {
    if (ws && ws.readyState === 1) ws.send(JSON.stringify(msg));
  };
  const sendError = (ws: WebSocket, code: string, message: string, ref?: string) => send(ws, { t: 'error', code, message, ...(ref ? { ref } : {}) });

  function getRoom(id: string): Room {
    let room = rooms.get(id);
    if (room) return room;
    if (rooms.size >= opts.maxRooms) throw new KefuError('TOO_MANY_ROOMS', `at most ${opts.maxRooms} rooms`);
    room = createRoom({
      id, maxParticipants: opts.maxParticipants, lastN: opts.lastN, net: opts.net, thumbnailFps: opts.thumbnailFps,
      ...(sealer ? { sealer } : {}),
      overloadLevel: () => overload.level,
      emit: (pid, msg) => send(bound.get(`${id}/${pid}`), msg),
      onError: (err, where) => opts.log.warn({ err, room: id, where }, 'room error'),
    });
    rooms.set(id, room);
    qos.set(id, createQosCollector({ thresholds: opts.thresholds }));
    return room;
  }

  /** emptied rooms whose peers are still closing: stop() waits for them too */
  const closing = new Set<Room>();

  function leave(roomId: string, pid: string) {
    const room = rooms.get(roomId);
    const p = room?.get(pid);
    if (!room || !p) return;
    room.leave(pid);
    qos.get(roomId)?.forget(pid);
    bound.delete(`${roomId}/${pid}`);
    for (const k of prevPackets.keys()) if (k.startsWith(`${roomId}/${pid}/`)) { prevPackets.delete(k); nackWindow.delete(k); }
    opts.onParticipant?.({ room: roomId, participant: pid, role: p.role, event: 'left' });
    if (room.size === 0) { closing.add(room); void room.close().finally(() => closing.delete(room)); rooms.delete(roomId); qos.delete(roomId); }
  }

  async function handle(ws: WebSocket, s: Session, msg: ClientMessage) {
    const ref = 'ref' in msg ? msg.ref : undefined;
    const joined = () => {
      if (!s.room || !s.participant || bound.get(`${s.room}/${s.participant}`) !== ws) throw new KefuError('NOT_JOINED', 'join a room first');
      return { room: rooms.get(s.room)!, pid: s.participant };
    };
    switch (msg.t) {
      case 'hello':
        s.terminal = msg.terminal;
        terminals.get(msg.terminal)?.close(4000, 'replaced');
        terminals.set(msg.terminal, ws);
        send(ws, { t: 'hello', terminal: msg.terminal, ref });
        return;
      case 'join': {
        if (s.participant) throw new KefuError('ALREADY_JOINED', 'this socket already joined; leave first');
        let roomId = msg.room;
        if (msg.callId) {
          const r = opts.roomOfCall?.(msg.callId);
          if (!r) throw new KefuError('UNKNOWN_CALL', `no call ${msg.callId}`);
          roomId = r;
        }
        const room = getRoom(roomId);
        const key = `${roomId}/${msg.participant}`;
        const old = bound.get(key);
        // bind before join: join emits the first offer to this socket
        bound.set(key, ws);
        let res;
        try { res = room.join({ id: msg.participant, name: msg.name, role: msg.role, subscribe: msg.subscribe !== false }); } catch (err) {
          if (old) bound.set(key, old); else bound.delete(key);
          if (room.size === 0) { closing.add(room); void room.close().finally(() => closing.delete(room)); rooms.delete(roomId); qos.delete(roomId); }
          throw err;
        }
        if (old && old !== ws) old.close(4000, 'replaced by a new connection');
        clearTimeout(graceTimers.get(key)); graceTimers.delete(key);
        s.room = roomId; s.participant = msg.participant;
        send(ws, { t: 'joined', room: roomId, participant: msg.participant, callId: msg.callId ?? null, rejoined: res.rejoined,
          roster: room.roster(), config: { maxParticipants: opts.maxParticipants, lastN: opts.lastN }, ref });
        opts.onParticipant?.({ room: roomId, participant: msg.participant, role: msg.role, event: res.rejoined ? 'rejoined' : 'joined' });
        return;
      }
      case 'publish': {
        const { room, pid } = joined();
        const sdp = await room.publish(pid, msg.sdp);
        send(ws, { t: 'answer', sdp, ref });
        return;
      }
      case 'answer': { const { room, pid } = joined(); await room.answer(pid, msg.sdp); return; }
      case 'mute': { const { room, pid } = joined(); room.setMuted(pid, msg.kind, msg.muted); return; }
      case 'view': {
        const { room, pid } = joined();
        room.setView(pid, {
          visible: msg.visible ? new Set(msg.visible) : undefined, pinned: msg.pinned ?? null,
          caps: msg.caps ? new Map(Object.entries(msg.caps)) : undefined,
        });
        return;
      }
      case 'stats': {
        const { room, pid } = joined();
        const byMid = new Map<string, { participant: string; kind: 'audio' | 'video' }>();
        for (const sl of room.slotsMessage(pid)?.slots ?? []) {
          if (!sl.participant) continue;
          if (sl.videoMid) byMid.set(sl.videoMid, { participant: sl.participant, kind: 'video' });
          if (sl.audioMid) byMid.set(sl.audioMid, { participant: sl.participant, kind: 'audio' });
        }
        qos.get(room.id)!.ingest(pid, msg.ts, msg.inbound, byMid, msg.sharpness);
        return;
      }
      case 'broadcast.status':
        if (!s.terminal && !s.participant) throw new KefuError('NOT_JOINED', 'send hello or join first');
        opts.onBroadcastStatus?.(msg.id, s.terminal ?? `${s.room}/${s.participant}`, msg.status, msg.reason);
        return;
      case 'invite.reply':
        if (!s.terminal) throw new KefuError('NOT_JOINED', 'send hello first');
        opts.onInviteReply?.(msg.callId, s.terminal, msg.answer);
        return;
      case 'leave': { const { room, pid } = joined(); leave(room.id, pid); s.room = undefined; s.participant = undefined; send(ws, { t: 'left', ref }); return; }
      case 'ping': send(ws, { t: 'pong', ref }); return;
    }
  }

  function sfuCounters(room: Room, viewer: string, pub: string, dtS: number): SfuTileCounters | null {
    const slot = room.get(viewer)?.sub?.slots.find((s) => s.publisherId === pub);
    if (!slot) return null;
    const key = `${room.id}/${viewer}/${slot.index}`;
    const c = slot.video.counters;
    const prev = prevPackets.get(key) ?? { packets: c.packets, nacks: c.nacks };
    prevPackets.set(key, { packets: c.packets, nacks: c.nacks });
    const sent = c.packets - prev.packets;
    const win = nackWindow.get(key) ?? nackWindow.set(key, []).get(key)!;
    win.push({ packets: c.packets, nacks: c.nacks });
    if (win.length > 6) win.shift();
    // what the viewer reported lost (NACKed) per packet sent: the link's loss before NACK/RTX repaired it
    const sentInWindow = c.packets - win[0]!.packets;
    const netLossPct = sentInWindow >= 30 ? Math.min(100, (100 * (c.nacks - win[0]!.nacks)) / sentInWindow) : null;
    return { pps: Math.round(sent / dtS), nacks: c.nacks, netLossPct, layer: slot.video.layer, target: slot.video.target, switches: c.switches, temporal: slot.video.temporal, temporalDrops: c.temporalDrops };
  }

  function qosTick() {
    qosTicks++;
    for (const room of rooms.values()) {
      const col = qos.get(room.id)!;
      for (const p of room.participants()) {
        const tiles = col.report(p.id, {
          audible: (pub) => room.get(pub)?.audible ?? false,
          videoOn: (pub) => { const o = room.get(pub); return !!o?.pub && !o.muted.video; },
          sfu: (pub) => sfuCounters(room, p.id, pub, 1),
        });
        send(bound.get(`${room.id}/${p.id}`), { t: 'qos', tiles, speaker: room.activeSpeaker });
      }
      if (qosTicks % 5 === 0) {
        const rows = col.rollup();
        if (rows.length) opts.onQos?.(room.id, rows);
      }
    }
  }

  return {
    rooms,
    start() {
      if (timers.length) return;
      if (opts.sealWorker) { sealer = createSealPool(); sealer.start(); }
      if (opts.shedLoad !== false) overload.start();
      timers.push(setInterval(() => { overload.evaluate(); for (const r of rooms.values()) { try { r.tick(); } catch (err) { opts.log.warn({ err }, 'room tick'); } } }, 500));
      timers.push(setInterval(() => { try { qosTick(); } catch (err) { opts.log.warn({ err }, 'qos tick'); } }, 1000));
    },
    async stop() {
      for (const t of timers) clearInterval(t);
      timers.length = 0;
      overload.stop();
      for (const t of graceTimers.values()) clearTimeout(t);
      graceTimers.clear();
      for (const ws of [...bound.values(), ...terminals.values()]) ws.close(1001, 'shutting down');
      bound.clear(); terminals.clear();
      await Promise.all([...rooms.values(), ...closing].map((r) => r.close()));
      rooms.clear(); qos.clear();
      await sealer?.stop(); sealer = null;
    },
    /** the sealing thread's counters (null when sealing on the event loop) */
    get sealer() { return sealer ? { sent: sealer.sent, overflow: sealer.overflow, failed: sealer.failed, died: sealer.died } : null; },
    /** load-shedding level now (0 = none) */
    get overloadLevel() { return overload.level; },
    /** Attach one WebSocket (participant or terminal). */
    handleSocket(ws: WebSocket) {
      const s: Session = { bucket: RATE_PER_S, bucketAt: Date.now() };
      ws.on('message', (data, isBinary) => {
        const now = Date.now();
        s.bucket = Math.min(RATE_PER_S, s.bucket + ((now - s.bucketAt) / 1000) * RATE_PER_S); s.bucketAt = now;
        if (s.bucket < 1) { sendError(ws, 'RATE_LIMITED', 'too many messages'); return; }
        s.bucket -= 1;
        if (isBinary) { sendError(ws, 'BAD_MESSAGE', 'text frames only'); return; }
        const parsed = parseClientMessage(data.toString());
        if (!parsed.ok) { sendError(ws, parsed.code, parsed.message); return; }
        handle(ws, s, parsed.msg).catch((err) => {
          const body = toErrorBody(err);
          if (body.code === 'INTERNAL') opts.log.warn({ err }, 'signalling handler failed');
          sendError(ws, body.code, body.message, 'ref' in parsed.msg ? parsed.msg.ref : undefined);
        });
      });
      ws.on('close', (code: number) => {
        if (s.terminal && terminals.get(s.terminal) === ws) terminals.delete(s.terminal);
        if (!s.room || !s.participant) return;
        const key = `${s.room}/${s.participant}`;
        if (bound.get(key) !== ws) return;
        const roomId = s.room; const pid = s.participant;
        // 1001 "going away": the browser closed or left the page. Its pagehide `leave` is lost when the browser
        // gives up on a busy page's unload handlers (after ~0.5 s): it is a departure all the same, not a blip
        if (code === GOING_AWAY) { leave(roomId, pid); return; }
        rooms.get(roomId)?.setAway(pid, true);
        clearTimeout(graceTimers.get(key));
        graceTimers.set(key, setTimeout(() => {
          graceTimers.delete(key);
          if (bound.get(key) === ws) leave(roomId, pid);
        }, opts.rejoinGraceMs));
      });
      ws.on('error', () => undefined);
    },
    sendToTerminal(terminal: string, msg: Record<string, unknown>): boolean {
      const ws = terminals.get(terminal);
      if (!ws || ws.readyState !== 1) return false;
      ws.send(JSON.stringify(msg));
      return true;
    },
    sendToRoom(roomId: string, msg: Record<string, unknown>): string[] {
      const room = rooms.get(roomId);
      if (!room) return [];
      const reached: string[] = [];
      for (const p of room.participants()) { const ws = bound.get(`${roomId}/${p.id}`); if (ws?.readyState === 1) { ws.send(JSON.stringify(msg)); reached.push(p.id); } }
      return reached;
    },
    endRoom(roomId: string, reason: string) {
      const room = rooms.get(roomId);
      if (!room) return;
      for (const p of room.participants()) { send(bound.get(`${roomId}/${p.id}`), { t: 'hangup', reason }); leave(roomId, p.id); }
    },
    get terminalIds() { return [...terminals.keys()]; },
  };
}
export type SignallingHub = ReturnType<typeof createSignallingHub>;
