// The BLE tunnel's frames: small, one per GATT write or notification, never longer than the ATT payload
// (MTU - 3). Byte 0 is the type, byte 1 the channel; DATA carries a 16-bit sequence number per channel.
import { TransportError } from '../../protocol/errors.js';

export const FrameType = { HELLO: 1, OPEN: 2, OPEN_OK: 3, OPEN_FAIL: 4, DATA: 5, CREDIT: 6, CLOSE: 7 } as const;
export type FrameTypeName = keyof typeof FrameType;

export type Frame =
  | { type: 'HELLO'; mtu: number; session: number }
  | { type: 'OPEN'; ch: number }
  | { type: 'OPEN_OK'; ch: number; credits: number }
  | { type: 'OPEN_FAIL'; ch: number; reason: string }
  | { type: 'DATA'; ch: number; seq: number; payload: Buffer }
  | { type: 'CREDIT'; ch: number; credits: number }
  | { type: 'CLOSE'; ch: number; reason: string };

export const ATT_OVERHEAD = 3;
export const DATA_HEADER = 4;
export const MIN_MTU = 23;

/** Payload bytes one DATA frame can carry at this ATT MTU. */
export const dataCapacity = (mtu: number): number => Math.max(1, mtu - ATT_OVERHEAD - DATA_HEADER);

export function encodeFrame(f: Frame): Buffer {
  const head = (extra: number) => { const b = Buffer.alloc(2 + extra); b[0] = FrameType[f.type]; b[1] = 'ch' in f ? f.ch : 0; return b; };
  switch (f.type) {
    case 'HELLO': { const b = head(6); b.writeUInt16BE(f.mtu, 2); b.writeUInt32BE(f.session >>> 0, 4); return b; }
    case 'OPEN': return head(0);
    case 'OPEN_OK': case 'CREDIT': { const b = head(2); b.writeUInt16BE(f.credits, 2); return b; }
    case 'OPEN_FAIL': case 'CLOSE': return Buffer.concat([head(0), Buffer.from(f.reason.slice(0, 16), 'utf8')]);
    case 'DATA': { const b = head(2); b.writeUInt16BE(f.seq & 0xffff, 2); return Buffer.concat([b, f.payload]); }
  }
}

export function decodeFrame(b: Buffer): Frame {
  if (b.length < 2) throw new TransportError('BLE_BAD_FRAME', `frame of ${b.length} bytes`);
  const ch = b[1];
  const need = (n: number) => { if (b.length < n) throw new TransportError('BLE_BAD_FRAME', `short frame type ${b[0]}`); };
  switch (b[0]) {
    case FrameType.HELLO: need(8); return { type: 'HELLO', mtu: b.readUInt16BE(2), session: b.readUInt32BE(4) };
    case FrameType.OPEN: return { type: 'OPEN', ch };
    case FrameType.OPEN_OK: need(4); return { type: 'OPEN_OK', ch, credits: b.readUInt16BE(2) };
    case FrameType.CREDIT: need(4); return { type: 'CREDIT', ch, credits: b.readUInt16BE(2) };
    case FrameType.OPEN_FAIL: return { type: 'OPEN_FAIL', ch, reason: b.subarray(2).toString('utf8') };
    case FrameType.CLOSE: return { type: 'CLOSE', ch, reason: b.subarray(2).toString('utf8') };
    case FrameType.DATA: need(4); return { type: 'DATA', ch, seq: b.readUInt16BE(2), payload: Buffer.from(b.subarray(4)) };
    default: throw new TransportError('BLE_BAD_FRAME', `unknown frame type ${b[0]}`);
  }
}
