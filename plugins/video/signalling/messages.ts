// The signalling protocol on the WebSocket, validated with zod. Client → server messages are below;
// server → client messages are plain objects with `t` (joined, offer, answer, slots, participant, speaker,
// layers, qos, invite, broadcast, error{code,message,ref}). participant.event is joined, rejoined, left, muted,
// or away/back: a dropped socket within the rejoin grace, so that pages show the tile as reconnecting.
import { z } from 'zod';

const id = z.string().min(1).max(64).regex(/^[\w.:-]+$/);
const sdp = z.string().min(10).max(200_000);
const ref = z.string().max(64).optional();
const layer = z.enum(['q', 'h', 'f', 'off']);

const num = z.number().finite().nonnegative();
/** one inbound-rtp entry from the browser's getStats(), cumulative counters */
export const inboundStat = z.object({
  mid: z.string().max(16),
  kind: z.enum(['audio', 'video']),
  bytesReceived: num.optional(),
  packetsReceived: num.optional(),
  packetsLost: z.number().finite().optional(),
  nackCount: num.optional(),
  framesDecoded: num.optional(),
  framesDropped: num.optional(),
  qpSum: num.optional(),
  frameWidth: num.optional(),
  frameHeight: num.optional(),
  freezeCount: num.optional(),
  totalFreezesDuration: num.optional(),
  concealedSamples: num.optional(),
  silentConcealedSamples: num.optional(),
  totalSamplesReceived: num.optional(),
  concealmentEvents: num.optional(),
  totalAudioEnergy: num.optional(),
  audioLevel: num.optional(),
  jitter: num.optional(),
}).strip();
export type InboundStat = z.infer<typeof inboundStat>;

export const clientMessage = z.discriminatedUnion('t', [
  z.object({ t: z.literal('hello'), terminal: id, ref }),
  z.object({
    t: z.literal('join'), room: id, participant: id, name: z.string().min(1).max(64), role: z.enum(['agent', 'customer', 'terminal', 'guest']),
    callId: id.optional(), ref,
    /** false: publish only (a camera feed, a synthetic load client), no subscriber peer */
    subscribe: z.boolean().optional(),
  }),
  z.object({ t: z.literal('publish'), sdp, ref }),
  z.object({ t: z.literal('answer'), sdp, ref }),
  z.object({ t: z.literal('mute'), kind: z.enum(['audio', 'video']), muted: z.boolean(), ref }),
  z.object({
    t: z.literal('view'), visible: z.array(id).max(64).optional(), pinned: id.nullable().optional(),
    caps: z.record(id, layer).optional(), ref,
  }),
  z.object({ t: z.literal('stats'), ts: num, inbound: z.array(inboundStat).max(140), sharpness: z.record(id, num).optional() }),
  z.object({ t: z.literal('broadcast.status'), id, status: z.enum(['delivered', 'played', 'failed']), reason: z.string().max(200).optional() }),
  z.object({ t: z.literal('invite.reply'), callId: id, answer: z.enum(['accepted', 'declined']) }),
  z.object({ t: z.literal('leave'), ref }),
  z.object({ t: z.literal('ping'), ref }),
]);
export type ClientMessage = z.infer<typeof clientMessage>;

/** Largest text frame we read; anything bigger is refused before parsing. */
export const MAX_MESSAGE_BYTES = 256 * 1024;

export function parseClientMessage(raw: string): { ok: true; msg: ClientMessage } | { ok: false; code: string; message: string } {
  if (raw.length > MAX_MESSAGE_BYTES) return { ok: false, code: 'TOO_LARGE', message: `message over ${MAX_MESSAGE_BYTES} bytes` };
  let data: unknown;
  try { data = JSON.parse(raw); } catch { return { ok: false, code: 'BAD_JSON', message: 'not JSON' }; }
  const r = clientMessage.safeParse(data);
  if (!r.success) {
    const issue = r.error.issues[0];
    return { ok: false, code: 'BAD_MESSAGE', message: issue ? `${issue.path.join('.') || 't'}: ${issue.message}` : 'invalid' };
  }
  return { ok: true, msg: r.data };
}
