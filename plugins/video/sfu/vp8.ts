// VP8 RTP payload (RFC 7741): is this packet the first packet of a key frame? A layer switch waits for one.
export function isVp8KeyframeStart(payload: Buffer): boolean {
  if (payload.length < 1) return false;
  const b0 = payload[0]!;
  const x = (b0 & 0x80) !== 0;
  const s = (b0 & 0x10) !== 0;
  const pid = b0 & 0x07;
  if (!s || pid !== 0) return false;
  let i = 1;
  if (x) {
    if (payload.length < 2) return false;
    const b1 = payload[1]!;
    i = 2;
    if (b1 & 0x80) { // I: picture id, 7 or 15 bits
      if (payload.length <= i) return false;
      i += (payload[i]! & 0x80) ? 2 : 1;
    }
    if (b1 & 0x40) i += 1; // L: TL0PICIDX
    if (b1 & 0x30) i += 1; // T or K: TID/Y/KEYIDX
  }
  if (payload.length <= i) return false;
  return (payload[i]! & 0x01) === 0; // P bit: 0 = key frame
}
