// Shapes shared by the SFU's parts; deliberately werift-free so the forwarding logic can be tested alone.

/** The part of an RTP packet the forwarder reads (werift's RtpPacket fits it structurally). */
export interface RtpLike {
  header: { ssrc: number; sequenceNumber: number; timestamp: number; marker: boolean; payloadType: number };
  payload: Buffer;
  /** replaces the payload's first prefix.length bytes (a VP8 descriptor rewritten for one receiver) */
  prefix?: Buffer | undefined;
}

/** The payload as it goes out: `prefix` laid over the start (a copy only when there is one). */
export function payloadOf(pkt: RtpLike): Buffer {
  const pre = pkt.prefix;
  return pre && pre.length ? Buffer.concat([pre, pkt.payload.subarray(pre.length)]) : pkt.payload;
}

export interface PeerNetConfig {
  /** UDP port range for ICE host candidates, inclusive */
  portRange?: [number, number];
  /** extra host addresses to offer (for example 127.0.0.1 in tests) */
  additionalHosts?: string[];
  turn?: { urls: string; username?: string; credential?: string };
  /** what each publisher may send (REMB we send to it), bits/s */
  publishBps?: number;
  /**
   * SO_RCVBUF / SO_SNDBUF asked for each peer's UDP socket, bytes (default 2 MiB). The kernel's 208 KiB default
   * holds ~90 full-size datagrams: one 100 ms stall of a busy event loop overflows it. Linux caps the value at
   * net.core.rmem_max / wmem_max (raise those on the box: `sysctl -w net.core.rmem_max=8388608`).
   */
  socketBufferBytes?: number;
}

export const DEFAULT_SOCKET_BUFFER_BYTES = 2 * 1024 * 1024;

export type Layer = 'q' | 'h' | 'f';
export const LAYERS: readonly Layer[] = ['q', 'h', 'f'];
/** rough bitrate budget per layer (bits/s) used when bandwidth estimates decide the layer */
export const LAYER_BPS: Record<Layer, number> = { q: 150_000, h: 500_000, f: 1_200_000 };
