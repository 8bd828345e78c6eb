// Shapes shared by the SFU's parts; deliberately werift-free so the forwarding logic can be tested alone.

/** The part of an RTP packet the forwarder reads (werift's RtpPacket fits it structurally). */
export interface RtpLike {
  header: { ssrc: number; sequenceNumber: number; timestamp: number; marker: boolean; payloadType: number };
  payload: Buffer;
}

export interface PeerNetConfig {
  /** UDP port range for ICE host candidates, inclusive */
  portRange?: [number, number];
  /** extra host addresses to offer (for example 127.0.0.1 in tests) */
  additionalHosts?: string[];
  turn?: { urls: string; username?: string; credential?: string };
  /** what each publisher may send (REMB we send to it), bits/s */
  publishBps?: number;
}

export type Layer = 'q' | 'h' | 'f';
export const LAYERS: readonly Layer[] = ['q', 'h', 'f'];
/** rough bitrate budget per layer (bits/s) used when bandwidth estimates decide the layer */
export const LAYER_BPS: Record<Layer, number> = { q: 150_000, h: 500_000, f: 1_200_000 };
