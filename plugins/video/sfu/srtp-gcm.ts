// SRTP with AEAD_AES_128_GCM (RFC 7714) for the SFU's send path: the RTP header is written once into one
// buffer (with the one-byte header extensions our subscribers negotiate) and sealed without werift's per-packet
// header object, IV writer and concatenation. The three parts go to the socket as one datagram (sendmsg).
import { createCipheriv } from 'node:crypto';

/** one-byte header extension elements (RFC 8285): id 1..14, 1..16 bytes */
export interface HeaderExt { id: number; payload: Buffer }

export function writeRtpHeader(pt: number, marker: boolean, seq: number, ts: number, ssrc: number, exts: readonly HeaderExt[]): Buffer {
  let extBytes = 0;
  for (const e of exts) extBytes += 1 + e.payload.length;
  const extWords = Math.ceil(extBytes / 4);
  // from Node's buffer pool (a fresh ArrayBuffer per packet showed in the profile); padding zeroed below
  const buf = Buffer.allocUnsafe(12 + (exts.length ? 4 + extWords * 4 : 0));
  buf[0] = 0x80 | (exts.length ? 0x10 : 0);
  buf[1] = (marker ? 0x80 : 0) | (pt & 0x7f);
  buf.writeUInt16BE(seq & 0xffff, 2);
  buf.writeUInt32BE(ts >>> 0, 4);
  buf.writeUInt32BE(ssrc >>> 0, 8);
  if (exts.length) {
    buf.writeUInt16BE(0xbede, 12);
    buf.writeUInt16BE(extWords, 14);
    let i = 16;
    for (const e of exts) {
      buf[i++] = (e.id << 4) | (e.payload.length - 1);
      e.payload.copy(buf, i);
      i += e.payload.length;
    }
    buf.fill(0, i);
  }
  return buf;
}

/**
 * Seals one RTP packet: returns [header, ciphertext…, tag], which concatenated are the SRTP packet.
 * `salt` is the 12-byte session salt, `roc` the rollover counter of `ssrc` for this `seq`. `prefix` (a rewritten
 * VP8 descriptor) replaces the payload's first bytes: the stream cipher takes the two parts in turn, so the
 * payload shared by every subscriber is never copied.
 */
export function sealRtpGcm(key: Buffer, salt: Buffer, header: Buffer, payload: Buffer, ssrc: number, roc: number, seq: number, prefix?: Buffer): Buffer[] {
  // IV (RFC 7714 §8.1): 00 00 | SSRC | ROC | SEQ, XOR the salt
  const iv = Buffer.allocUnsafe(12);
  iv[0] = salt[0]!; iv[1] = salt[1]!;
  iv.writeUInt32BE(((ssrc ^ salt.readUInt32BE(2)) >>> 0), 2);
  iv.writeUInt32BE(((roc ^ salt.readUInt32BE(6)) >>> 0), 6);
  iv.writeUInt16BE((seq ^ salt.readUInt16BE(10)) & 0xffff, 10);
  const c = createCipheriv('aes-128-gcm', key, iv);
  c.setAAD(header);
  if (prefix && prefix.length) {
    const a = c.update(prefix);
    const b = c.update(payload.subarray(prefix.length));
    c.final();
    return [header, a, b, c.getAuthTag()];
  }
  const enc = c.update(payload);
  c.final();
  return [header, enc, c.getAuthTag()];
}
