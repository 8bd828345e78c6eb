// The video plugin's bus events (declaration merging into the daemon's event map).
import type { TileLevels } from './qos/metrics.js';

export interface VideoQosRow {
  participant: string; viewers: number; worst: TileLevels; videoKbps: number | null; audioKbps: number | null;
  blurScore: number | null; freezeSeconds: number; stutterPct: number | null; lossPct: number | null; netLossPct: number | null;
}

declare module '../../daemon/bus-events.js' {
  interface BusEvents {
    /** another plugin (chat) asks for a call: an agent escalates a conversation to video */
    'video.call.request': { conversationId?: string; agentId?: string; terminals?: string[]; requestId?: string };
    /** a request that could not become a call (room/call limits, bad arguments) */
    'video.call.refused': { requestId: string; conversationId?: string; code: string; message: string };
    'video.call.created': { callId: string; room: string; conversationId: string | null; requestId: string | null; joinPath: string; invited: string[] };
    'video.call.invite': { callId: string; conversationId: string | null; terminal: string; answer: 'accepted' | 'declined' };
    'video.call.ended': { callId: string; room: string; conversationId: string | null; reason: string; durationS: number };
    'video.call.participant': { callId: string | null; room: string; participant: string; role: string; event: 'joined' | 'left' | 'rejoined' };
    'video.qos': { room: string; callId: string | null; rows: VideoQosRow[] };
    'video.broadcast.status': { id: string; target: string; status: 'sent' | 'delivered' | 'played' | 'failed'; reason?: string };
  }
}
export {};
