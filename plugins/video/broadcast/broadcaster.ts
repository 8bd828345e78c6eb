// Voice broadcast: an announcement (espeak-ng speech or an uploaded clip) sent to chosen terminals and/or
// rooms, with a delivery status per target: sent → delivered (the client loaded the audio) → played, or
// failed (offline, playback error, or no acknowledgement in time).
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { KefuError } from '../../../protocol/errors.js';
import type { SignallingHub } from '../signalling/hub.js';
import { speakToWav } from './tts.js';

export type DeliveryStatus = 'sent' | 'delivered' | 'played' | 'failed';
export interface Broadcast { id: string; createdAt: number; text: string | null; url: string; targets: Record<string, { status: DeliveryStatus; reason?: string }> }

export interface BroadcasterOptions {
  dir: string; espeak: string; voice: string; maxClipBytes: number; ackTimeoutMs: number;
  hub: () => SignallingHub;
  onStatus(id: string, target: string, status: DeliveryStatus, reason?: string): void;
}

const KEEP = 50;

export function createBroadcaster(opts: BroadcasterOptions) {
  const all = new Map<string, Broadcast>();
  const timers = new Set<NodeJS.Timeout>();
  const set = (b: Broadcast, target: string, status: DeliveryStatus, reason?: string) => {
    const cur = b.targets[target];
    if (!cur) return;
    const order: DeliveryStatus[] = ['sent', 'delivered', 'played'];
    // never step backwards (a late "delivered" after "played"), and a failure is final
    if (cur.status === 'failed' || (status !== 'failed' && order.indexOf(status) <= order.indexOf(cur.status))) return;
    b.targets[target] = reason ? { status, reason } : { status };
    opts.onStatus(b.id, target, status, reason);
  };
  return {
    async send(args: { text?: string; clipBase64?: string; terminals?: string[]; rooms?: string[]; voice?: string }): Promise<Broadcast> {
      if (!args.text && !args.clipBase64) throw new KefuError('BAD_ARGS', 'give text (spoken by espeak-ng) or clipBase64 (a WAV, MP3 or Ogg clip); terminals and rooms are optional');
      const hub = opts.hub();
      // a hall's announcement is for everyone: no targets means every terminal connected now
      const everyone = !args.terminals?.length && !args.rooms?.length;
      const terminals = everyone ? hub.terminalIds : args.terminals ?? [];
      if (everyone && terminals.length === 0) throw new KefuError('NO_TERMINALS', 'no terminal is connected to this box: nothing to announce to (give rooms to reach video calls)');
      await mkdir(opts.dir, { recursive: true });
      const id = randomUUID();
      const file = join(opts.dir, `${id}.wav`);
      if (args.clipBase64) {
        const buf = Buffer.from(args.clipBase64, 'base64');
        if (buf.length > opts.maxClipBytes) throw new KefuError('TOO_LARGE', `clip over ${opts.maxClipBytes} bytes`);
        if (buf.subarray(0, 4).toString('latin1') !== 'RIFF' && buf.subarray(0, 3).toString('latin1') !== 'ID3' && buf[0] !== 0xff && buf.subarray(0, 4).toString('latin1') !== 'OggS') {
          throw new KefuError('BAD_AUDIO', 'clip must be WAV, MP3 or Ogg');
        }
        await writeFile(file, buf);
      } else {
        await speakToWav({ espeak: opts.espeak, voice: args.voice ?? opts.voice, text: args.text!, out: file });
      }
      const b: Broadcast = { id, createdAt: Date.now(), text: args.text ?? null, url: `/p/video/broadcast/${id}.wav`, targets: {} };
      all.set(id, b);
      const msg = { t: 'broadcast', id, url: b.url, text: b.text };
      for (const term of terminals) {
        b.targets[term] = { status: 'sent' };
        if (!hub.sendToTerminal(term, msg)) { b.targets[term] = { status: 'failed', reason: 'offline' }; opts.onStatus(id, term, 'failed', 'offline'); }
        else opts.onStatus(id, term, 'sent');
      }
      for (const room of args.rooms ?? []) {
        const reached = hub.sendToRoom(room, msg);
        if (!reached.length) { b.targets[`room:${room}`] = { status: 'failed', reason: 'no participants' }; opts.onStatus(id, `room:${room}`, 'failed', 'no participants'); }
        for (const p of reached) { b.targets[`${room}/${p}`] = { status: 'sent' }; opts.onStatus(id, `${room}/${p}`, 'sent'); }
      }
      const timer = setTimeout(() => {
        timers.delete(timer);
        for (const [target, s] of Object.entries(b.targets)) if (s.status === 'sent') set(b, target, 'failed', 'no acknowledgement');
      }, opts.ackTimeoutMs);
      timers.add(timer);
      while (all.size > KEEP) {
        const oldest = all.keys().next().value as string;
        all.delete(oldest);
        await rm(join(opts.dir, `${oldest}.wav`), { force: true });
      }
      return b;
    },
    /** a client's acknowledgement; target is a terminal id or `room/participant` */
    status(id: string, target: string, status: 'delivered' | 'played' | 'failed', reason?: string) {
      const b = all.get(id);
      if (b) set(b, target, status, reason);
    },
    get: (id: string) => all.get(id),
    file: (id: string) => (all.has(id) ? join(opts.dir, `${id}.wav`) : null),
    stop() { for (const t of timers) clearTimeout(t); timers.clear(); },
  };
}
export type Broadcaster = ReturnType<typeof createBroadcaster>;
