// VP8 RTP payload descriptor (RFC 7741 §4.2): key-frame detection for layer switches, and the fields the
// temporal-layer forwarder reads and rewrites (picture id, TL0PICIDX, TID). Parsed once per received packet.

/** What the forwarder needs of one packet's descriptor; byte offsets are into the payload, -1 when absent. */
export interface Vp8Info {
  /** S=1 and PID=0: the first packet of a frame */
  frameStart: boolean;
  /** first packet of a key frame (P bit 0 in the VP8 header that follows the descriptor) */
  keyframe: boolean;
  /** picture id, or -1 */
  pictureId: number;
  /** 7 or 15 (bits of the picture id field); 0 when absent */
  pictureIdBits: 0 | 7 | 15;
  pictureIdAt: number;
  /** TL0PICIDX, or -1 */
  tl0PicIdx: number;
  tl0At: number;
  /** temporal layer (0 when the descriptor carries none: all frames count as base layer) */
  tid: number;
  /** layer sync: this frame depends on TL0 only, so a receiver can start taking its layer here */
  layerSync: boolean;
  /** length of the descriptor; the VP8 frame header starts here */
  headerLength: number;
}

export function parseVp8(payload: Buffer): Vp8Info | null {
  const n = payload.length;
  if (n < 1) return null;
  const b0 = payload[0]!;
  const info: Vp8Info = {
    frameStart: (b0 & 0x10) !== 0 && (b0 & 0x07) === 0, keyframe: false,
    pictureId: -1, pictureIdBits: 0, pictureIdAt: -1, tl0PicIdx: -1, tl0At: -1, tid: 0, layerSync: false, headerLength: 1,
  };
  let i = 1;
  if (b0 & 0x80) {
    if (n < 2) return null;
    const x = payload[1]!;
    i = 2;
    if (x & 0x80) {
      if (n <= i) return null;
      info.pictureIdAt = i;
      if (payload[i]! & 0x80) {
        if (n <= i + 1) return null;
        info.pictureId = ((payload[i]! & 0x7f) << 8) | payload[i + 1]!;
        info.pictureIdBits = 15;
        i += 2;
      } else {
        info.pictureId = payload[i]!;
        info.pictureIdBits = 7;
        i += 1;
      }
    }
    if (x & 0x40) {
      if (n <= i) return null;
      info.tl0At = i;
      info.tl0PicIdx = payload[i]!;
      i += 1;
    }
    if (x & 0x30) {
      if (n <= i) return null;
      const t = payload[i]!;
      if (x & 0x20) { info.tid = t >> 6; info.layerSync = (t & 0x20) !== 0; }
      i += 1;
    }
  }
  info.headerLength = i;
  info.keyframe = info.frameStart && n > i && (payload[i]! & 0x01) === 0;
  return info;
}

/** the mask that wraps picture ids of this packet's field width (7 or 15 bits) */
export function pictureIdMask(info: Vp8Info): number {
  return info.pictureIdBits === 7 ? 0x7f : 0x7fff;
}

// VP8 payload (RFC 7741): is this packet the first packet of a key frame? A layer switch waits for one.
export function isVp8KeyframeStart(payload: Buffer): boolean {
  return parseVp8(payload)?.keyframe ?? false;
}

/** A copy of `payload` with picture id and TL0PICIDX replaced (same field widths), for one receiver. */
export function rewriteVp8(payload: Buffer, info: Vp8Info, pictureId: number, tl0PicIdx: number): Buffer {
  const out = Buffer.allocUnsafe(payload.length);
  payload.copy(out);
  return patch(out, info, pictureId, tl0PicIdx);
}

/**
 * Only the descriptor (`info.headerLength` bytes) with picture id and TL0PICIDX replaced: laid over the shared
 * payload when it is sealed (RtpLike.prefix), so the frame data is not copied per receiver.
 */
export function rewriteVp8Prefix(payload: Buffer, info: Vp8Info, pictureId: number, tl0PicIdx: number): Buffer {
  const out = Buffer.allocUnsafe(info.headerLength);
  payload.copy(out, 0, 0, info.headerLength);
  return patch(out, info, pictureId, tl0PicIdx);
}

function patch(out: Buffer, info: Vp8Info, pictureId: number, tl0PicIdx: number): Buffer {
  if (info.pictureIdBits === 15) {
    out[info.pictureIdAt] = 0x80 | ((pictureId >> 8) & 0x7f);
    out[info.pictureIdAt + 1] = pictureId & 0xff;
  } else if (info.pictureIdBits === 7) {
    out[info.pictureIdAt] = pictureId & 0x7f;
  }
  if (info.tl0At >= 0) out[info.tl0At] = tl0PicIdx & 0xff;
  return out;
}
