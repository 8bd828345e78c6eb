// A cheap receive path for synthetic subscribers (the benchmark's load generator): the SFU's work per packet
// is the same, but the generator need not decrypt and parse every packet the way a browser does. SRTP leaves
// the RTP header in the clear, so sequence numbers (loss) are read off the wire; one packet in `sampleEvery`
// per stream continues into werift, is decrypted and reaches the track, and carries the latency sample.
import type { RTCPeerConnection } from 'werift';

/** `late`: packets older than one already seen (reordered: each also counted one lost when the gap was seen) */
export interface LightCounters { rxVideo: number; rxAudio: number; lost: number; late?: number }

interface DataEvent { execute: (data: Buffer) => void }

/** Payload types per media kind, from the offer the SFU sent. */
export function payloadKinds(sdp: string): Map<number, 'audio' | 'video'> {
  const kinds = new Map<number, 'audio' | 'video'>();
  for (const m of sdp.matchAll(/^m=(audio|video) \d+ \S+ ([\d ]+)/gm)) {
    for (const pt of m[2]!.trim().split(' ')) kinds.set(Number(pt), m[1] as 'audio' | 'video');
  }
  return kinds;
}

/**
 * Hooks the ICE connection of a bundled peer (call once it is connected). Returns a function that detaches.
 * `counters` counts every RTP packet and the sequence gaps per SSRC.
 */
export function attachLightReceiver(pc: RTCPeerConnection, kinds: Map<number, 'audio' | 'video'>, counters: LightCounters, sampleEvery = 8): () => void {
  const conn = (pc.iceTransports[0] as unknown as { connection: { onData: DataEvent } } | undefined)?.connection;
  if (!conn) return () => undefined;
  const event = conn.onData;
  const original = event.execute;
  const last = new Map<number, number>();
  event.execute = (data: Buffer) => {
    const b0 = data[0] ?? 0;
    const pt = (data[1] ?? 0) & 0x7f;
    const isRtp = b0 >= 128 && b0 <= 191 && data.length >= 12 && !(data[1]! >= 192 && data[1]! <= 223);
    if (!isRtp) { original(data); return; }
    const kind = kinds.get(pt);
    if (kind === 'video') counters.rxVideo++; else counters.rxAudio++;
    const seq = data.readUInt16BE(2);
    const ssrc = data.readUInt32BE(8);
    const prev = last.get(ssrc);
    if (prev !== undefined) {
      const gap = (seq - prev + 65536) % 65536;
      if (gap > 1 && gap < 1000) counters.lost += gap - 1;
    }
    if (prev === undefined || ((seq - prev + 65536) % 65536) < 32768) last.set(ssrc, seq);
    else if (counters.late !== undefined) counters.late++;
    if (kind === 'video' && seq % sampleEvery === 0) original(data);
  };
  return () => { event.execute = original; };
}
