// A room: participants, their publisher/subscriber peers, slot assignment, speaker tracking and the periodic
// layer decisions. Messages to clients go out through `emit`; the signalling layer owns the sockets.
import { KefuError } from '../../../protocol/errors.js';
import { chooseLayers, neededLayers, temporalCap, thumbnailFps, type SubscriberView, type Want } from './layer-policy.js';
import { attachPublication, createParticipant, createSlot, type Participant, type Slot } from './participant.js';
import { createSpeakerTracker } from './speaker.js';
import { createFrameRateMeter } from './frame-rate.js';
import { createPublisherPeer, createSubscriberPeer } from './werift-peer.js';
import type { SealPool } from './seal-pool.js';
import { shedFps } from './overload.js';
import { LAYERS, type Layer, type PeerNetConfig } from './types.js';

export interface RoomOptions {
  id: string;
  maxParticipants: number;
  lastN: number;
  net: PeerNetConfig;
  keyframeGapMs?: number;
  /** cap on a grid thumbnail's frame rate in grids of 5+ tiles (default: by grid size) */
  thumbnailFps?: number;
  /** load-shedding level (overload.ts): each level halves grid thumbnails' frame rate; none = 0 */
  overloadLevel?: () => number;
  /** seals subscribers' SRTP on a worker thread (the second core); none = on the event loop */
  sealer?: SealPool;
  emit(participantId: string, msg: Record<string, unknown>): void;
  onError?(err: unknown, where: string): void;
}

export type Room = ReturnType<typeof createRoom>;

const SLOT_CHUNK = 4;
/** ticks (of 500 ms) over which frame rates per temporal layer are measured */
const FPS_TICKS = 4;
const NEGOTIATION_MS = 10_000;

/** werift can wait forever on a description it half-understands; a request must get an answer */
function timeBoxed<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<T>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} timed out`)), NEGOTIATION_MS); })])
    .finally(() => clearTimeout(timer));
}

/** The parts every WebRTC description must have; anything else is refused before werift sees it. */
function checkSdp(sdp: string): void {
  if (!/^v=0\r?\n/.test(sdp) || !/^m=(audio|video|application) /m.test(sdp) || !/^a=ice-ufrag:/m.test(sdp) || !/^a=fingerprint:/m.test(sdp)) {
    throw new KefuError('BAD_SDP', 'not a WebRTC session description (needs v=0, m=, a=ice-ufrag, a=fingerprint)');
  }
}

export function createRoom(opts: RoomOptions) {
  const participants = new Map<string, Participant>();
  const speaker = createSpeakerTracker({ lastN: opts.lastN });
  let tickNo = 0;
  let now = Date.now();
  const emitAll = (msg: Record<string, unknown>, except?: string) => {
    for (const id of participants.keys()) if (id !== except) opts.emit(id, msg);
  };
  const fail = (err: unknown, where: string) => opts.onError?.(err, where);
  const roster = () => [...participants.values()].map((p) => ({ id: p.id, name: p.name, role: p.role, muted: p.muted, away: p.away }));

  function slotsMessage(p: Participant) {
    return { t: 'slots', slots: (p.sub?.slots ?? []).map((s) => ({ index: s.index, videoMid: s.video.out.mid(), audioMid: s.audio.mid(), participant: s.publisherId })) };
  }

  function bindSlot(slot: Slot, pub: Participant | null) {
    const old = slot.publisherId ? participants.get(slot.publisherId) : undefined;
    old?.videoSinks.delete(slot.video);
    old?.audioSinks.delete(slot);
    slot.video.setTarget('off');
    slot.audioResync = true;
    slot.publisherId = pub?.id ?? null;
    if (pub) { pub.videoSinks.add(slot.video); pub.audioSinks.add(slot); }
  }

  /** Gives every other participant a slot in p's subscriber peer; grows the peer (renegotiation) when full. */
  function assignSlots(p: Participant) {
    const sub = p.sub;
    if (!sub) return;
    const shown = new Set(sub.slots.map((s) => s.publisherId).filter(Boolean));
    const missing = [...participants.values()].filter((o) => o.id !== p.id && !shown.has(o.id));
    let grew = false;
    for (const o of missing) {
      let slot = sub.slots.find((s) => s.publisherId === null);
      if (!slot) {
        const room = opts.maxParticipants - 1 - sub.slots.length;
        for (let i = 0; i < Math.min(SLOT_CHUNK, room); i++) {
          sub.slots.push(createSlot(sub.slots.length, sub.peer.addTrack('video'), sub.peer.addTrack('audio'), (s) => participants.get(s.publisherId ?? '')));
        }
        grew = true;
        slot = sub.slots.find((s) => s.publisherId === null);
        if (!slot) break;
      }
      bindSlot(slot, o);
    }
    if (grew) void negotiate(p);
    else opts.emit(p.id, slotsMessage(p));
  }

  async function negotiate(p: Participant) {
    const sub = p.sub;
    if (!sub) return;
    if (sub.negotiating) { sub.renegotiate = true; return; }
    sub.negotiating = true;
    sub.renegotiate = false;
    try {
      const sdp = await sub.peer.createOffer();
      if (p.sub !== sub) return;
      opts.emit(p.id, { t: 'offer', sdp, fresh: !sub.offered, slots: slotsMessage(p).slots });
      sub.offered = true;
    } catch (err) {
      sub.negotiating = false;
      fail(err, 'offer');
      opts.emit(p.id, { t: 'error', code: 'NEGOTIATION_FAILED', message: 'could not create an offer' });
    }
  }

  function openSubscription(p: Participant) {
    const peer = createSubscriberPeer(opts.net, opts.sealer);
    p.sub = { peer, slots: [], negotiating: false, renegotiate: false, connected: false, lastBytes: 0, offered: false };
    const sub = p.sub;
    peer.onState((s) => {
      sub.connected = s === 'connected';
      if (s === 'failed' && p.sub === sub && participants.get(p.id) === p) {
        for (const sl of sub.slots) bindSlot(sl, null);
        void settle(peer.close());
        openSubscription(p);
      }
    });
    peer.onData((msg) => {
      // the data channel carries small room messages (chat lines, reactions) to everyone else
      if (msg.length > 4096) return;
      for (const o of participants.values()) if (o.id !== p.id) o.sub?.peer.sendData(JSON.stringify({ from: p.id, data: msg }));
    });
    const others = participants.size - 1;
    for (let i = 0; i < Math.max(1, Math.min(opts.maxParticipants - 1, others)); i++) {
      sub.slots.push(createSlot(i, peer.addTrack('video'), peer.addTrack('audio'), (s) => participants.get(s.publisherId ?? '')));
    }
    for (const o of participants.values()) if (o.id !== p.id) bindSlot(sub.slots.find((s) => s.publisherId === null)!, o);
    void negotiate(p);
  }

  // peers still closing (a leave or rejoin does not wait for them; close() of the room does)
  const closing = new Set<Promise<unknown>>();
  function closePeers(p: Participant): Promise<unknown> {
    const { pub, sub } = p;
    p.pub = null; p.sub = null;
    if (sub) for (const s of sub.slots) bindSlot(s, null);
    return settle(Promise.all([pub?.peer.close(), sub?.peer.close()]));
  }
  function settle(pr: Promise<unknown>): Promise<unknown> {
    const done: Promise<unknown> = pr.catch(() => undefined).finally(() => closing.delete(done));
    closing.add(done);
    return done;
  }

  const meter = createFrameRateMeter();

  return {
    id: opts.id,
    get size() { return participants.size; },
    participants: () => [...participants.values()],
    get(id: string) { return participants.get(id); },
    get activeSpeaker() { return speaker.active; },

    /** Adds a participant, or re-attaches one that already exists (rejoin after a network blip). */
    join(info: { id: string; name: string; role: string; subscribe?: boolean }): { participant: Participant; rejoined: boolean } {
      const existing = participants.get(info.id);
      if (existing) {
        void closePeers(existing);
        existing.away = false;
        for (const dt of existing.videoSinks) dt.resync();
        if (info.subscribe !== false) openSubscription(existing);
        emitAll({ t: 'participant', event: 'rejoined', participant: { id: existing.id, name: existing.name, role: existing.role, away: false } }, existing.id);
        return { participant: existing, rejoined: true };
      }
      if (participants.size >= opts.maxParticipants) {
        throw new KefuError('ROOM_FULL', `room ${opts.id} is full (${opts.maxParticipants} participants)`);
      }
      const p = createParticipant({ id: info.id, name: info.name, role: info.role }, opts.keyframeGapMs ?? 300);
      p.onLevel = (level) => speaker.observe(p.id, level, now);
      participants.set(p.id, p);
      emitAll({ t: 'participant', event: 'joined', participant: { id: p.id, name: p.name, role: p.role, away: false } }, p.id);
      for (const o of participants.values()) if (o.id !== p.id) assignSlots(o);
      if (info.subscribe !== false) openSubscription(p);
      return { participant: p, rejoined: false };
    },

    async publish(id: string, offerSdp: string): Promise<string> {
      const p = participants.get(id);
      if (!p) throw new KefuError('NOT_JOINED', 'join first');
      if (p.pub) throw new KefuError('ALREADY_PUBLISHING', 'already publishing; rejoin to publish again');
      checkSdp(offerSdp);
      const peer = createPublisherPeer(opts.net);
      p.pub = attachPublication(p, peer, () => tickNo);
      // a new publication restarts the source's sequence numbers and timestamps (a republish after a failed
      // handshake, a rejoin): every subscriber's audio continues from what it last got, as video does (resync)
      for (const slot of p.audioSinks) slot.audioResync = true;
      peer.onState((st) => {
        // a handshake that died (seen under heavy load): drop it and ask the client to publish again
        if (st !== 'failed' || p.pub?.peer !== peer) return;
        p.pub = null;
        void settle(peer.close());
        for (const dt of p.videoSinks) dt.resync();
        opts.emit(p.id, { t: 'republish', reason: 'publisher connection failed' });
      });
      try {
        return await timeBoxed(peer.answer(offerSdp), 'answer');
      } catch (err) {
        p.pub = null;
        void settle(peer.close());
        throw new KefuError('NEGOTIATION_FAILED', `bad offer: ${(err as Error).message}`);
      }
    },

    async answer(id: string, sdp: string) {
      const p = participants.get(id);
      const sub = p?.sub;
      if (!p || !sub) throw new KefuError('NOT_JOINED', 'join first');
      if (!sub.negotiating) throw new KefuError('UNEXPECTED', 'no offer is pending');
      try {
        checkSdp(sdp);
        await timeBoxed(sub.peer.applyAnswer(sdp), 'applying the answer');
      } catch (err) {
        if (err instanceof KefuError) throw err;
        throw new KefuError('NEGOTIATION_FAILED', `bad answer: ${(err as Error).message}`);
      } finally {
        sub.negotiating = false;
      }
      if (sub.renegotiate) void negotiate(p);
    },

    leave(id: string) {
      const p = participants.get(id);
      if (!p) return;
      void closePeers(p);
      for (const o of participants.values()) {
        for (const s of o.sub?.slots ?? []) if (s.publisherId === id) bindSlot(s, null);
      }
      participants.delete(id);
      speaker.remove(id);
      emitAll({ t: 'participant', event: 'left', participant: { id } });
      for (const o of participants.values()) opts.emit(o.id, slotsMessage(o));
    },

    /** a dropped socket within the rejoin grace: the others show the tile as reconnecting, not as live */
    setAway(id: string, away: boolean) {
      const p = participants.get(id);
      if (!p || p.away === away) return;
      p.away = away;
      emitAll({ t: 'participant', event: away ? 'away' : 'back', participant: { id, name: p.name, role: p.role, away } }, id);
    },
    setView(id: string, view: SubscriberView) { const p = participants.get(id); if (p) p.view = view; },
    setMuted(id: string, kind: 'audio' | 'video', muted: boolean) {
      const p = participants.get(id);
      if (!p) return;
      p.muted[kind] = muted;
      emitAll({ t: 'participant', event: 'muted', participant: { id, muted: p.muted } });
    },
    roster,
    slotsMessage(id: string) { const p = participants.get(id); return p ? slotsMessage(p) : null; },

    /** Periodic: speakers, liveness of layers, per-subscriber layer choice, publisher layer requests. */
    tick() {
      tickNo++;
      now = Date.now();
      if (speaker.tick(now)) {
        for (const p of participants.values()) p.audible = speaker.audible.has(p.id);
        emitAll({ t: 'speaker', active: speaker.active, audible: [...speaker.audible] });
      }
      if (tickNo % FPS_TICKS === 0) for (const p of participants.values()) if (p.pub) meter.measure(p.pub, now);
      const wanted = new Map<string, Want[]>();
      const shed = opts.overloadLevel?.() ?? 0;
      for (const p of participants.values()) {
        const sub = p.sub;
        if (!sub) continue;
        const bound = sub.slots.filter((s) => s.publisherId);
        // REMB follows what it receives, so it cannot tell us to go up; it only caps us when it falls clearly
        // below what we send (congestion). Upgrades are optimistic and backed off by the next REMB.
        const remb = Math.max(0, ...sub.slots.map((s) => s.video.out.estimateBps()));
        const bytes = sub.slots.reduce((n, s) => n + s.video.counters.bytes, 0);
        const sentBps = ((bytes - sub.lastBytes) * 8) / 0.5;
        sub.lastBytes = bytes;
        const estimate = remb > 0 && remb < 0.85 * sentBps ? remb : 0;
        const wants = chooseLayers({ publishers: bound.map((s) => s.publisherId!), view: p.view, activeSpeaker: speaker.active, estimateBps: estimate });
        const tiles = p.view.visible ? bound.filter((s) => p.view.visible!.has(s.publisherId!)).length : bound.length;
        const thumbFps = shedFps(thumbnailFps(tiles, opts.thumbnailFps), shed);
        for (const s of bound) {
          const pubP = participants.get(s.publisherId!);
          const want = wants.get(s.publisherId!) ?? 'q';
          (wanted.get(s.publisherId!) ?? wanted.set(s.publisherId!, []).get(s.publisherId!)!).push(want);
          const eff = liveLayerAtMost(pubP, want, tickNo);
          s.video.setTarget(eff);
          // the speaker and a pinned tile get every frame; thumbnails the temporal layers their size needs
          const full = s.publisherId === speaker.active || s.publisherId === p.view.pinned;
          s.video.setMaxTemporal(full || eff === 'off' || !pubP?.pub ? 2 : temporalCap(pubP.pub.fps[eff], thumbFps));
          // a switch that has not landed yet: ask again (the limiter keeps this to one PLI per gap)
          if (eff !== 'off' && s.video.layer !== eff) pubP?.keyframes.request(eff);
        }
      }
      for (const p of participants.values()) {
        if (!p.pub) continue;
        const need = neededLayers(wanted.get(p.id) ?? []);
        if (need.join() !== p.pub.activeLayers.join()) {
          p.pub.activeLayers = need;
          opts.emit(p.id, { t: 'layers', active: need });
        }
      }
    },

    /** resolves when every peer has let go of its sockets (or its bounded close gave up) */
    async close() {
      for (const p of participants.values()) void closePeers(p);
      participants.clear();
      await Promise.all([...closing]);
    },
  };
}

/** The best layer at most `want` that carried packets recently; a paused or missing layer falls back lower. */
function liveLayerAtMost(p: Participant | undefined, want: Want, tickNo: number): Want {
  if (want === 'off' || !p?.pub) return want === 'off' ? 'off' : 'q';
  const live = (l: Layer) => tickNo - p.pub!.seenTick[l] <= 6;
  const idx = LAYERS.indexOf(want);
  for (let i = idx; i >= 0; i--) if (live(LAYERS[i]!)) return LAYERS[i]!;
  // nothing live yet: aim for the lowest, it arrives first
  return 'q';
}
