// Pure framing of the outbox's write-ahead log. A frame is [u32 length][u32 crc32 of the body][body], little
// endian. A crash can leave a torn frame at the tail: the reader stops at the first frame that is short, too
// long, empty or fails its CRC, and reports how many bytes were good, so nothing after a tear is trusted.
import { crc32 } from 'node:zlib';
import { OUTBOX_CLASSES, type OutboxClass } from '../../protocol/schemas.js';
import { CLASS_RANK, decodeSegment, encodeLine, lineHeadBytes, writeLineHead, type EncodedEvent } from './codec.js';

const HEADER = 8;
/** No record is larger (a sanity bound: a garbage length must not make the reader allocate gigabytes). */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;

const TYPE_EVENT = 0x45; // 'E': one event, `${rank}\t${line}`
const TYPE_GONE = 0x47; // 'G': seqs acknowledged or evicted, comma-separated
const TAB = 0x09;
const RANK_DIGIT_0 = 0x30;

export type WalRecord =
  | { type: 'event'; cls: OutboxClass; event: EncodedEvent }
  | { type: 'gone'; seqs: number[] };

export function frame(body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEADER + body.length);
  out.writeUInt32LE(body.length, 0);
  out.writeUInt32LE(crc32(body), 4);
  body.copy(out, HEADER);
  return out;
}

const eventBody = (cls: OutboxClass, e: EncodedEvent) => `${String.fromCharCode(TYPE_EVENT)}${CLASS_RANK[cls]}\t${encodeLine(e)}`;
const goneBody = (seqs: readonly number[]) => `${String.fromCharCode(TYPE_GONE)}${seqs.join(',')}`;

export function encodeEventRecord(cls: OutboxClass, e: EncodedEvent): Buffer {
  return frame(Buffer.from(eventBody(cls, e)));
}

export function encodeGoneRecord(seqs: readonly number[]): Buffer {
  return frame(Buffer.from(goneBody(seqs)));
}

/** An event as the log takes it: its fields and its class (an outbox entry is one). */
export type WalEvent = EncodedEvent & { readonly cls: OutboxClass };

/** an event body's bytes before its line head: the type, the class rank and a tab */
const EVENT_PREFIX = 3;

/**
 * One group commit's frames in a single buffer (one allocation, one write): the seqs gone since the last commit
 * first, then the new events. An event's body goes in piece by piece (what eventBody would build as a string).
 */
export function encodeCommit(gone: readonly number[], events: ReadonlyArray<WalEvent>): Buffer {
  const goneText = gone.length > 0 ? goneBody(gone) : '';
  let total = gone.length > 0 ? HEADER + Buffer.byteLength(goneText) : 0;
  for (const e of events) total += HEADER + EVENT_PREFIX + lineHeadBytes(e) + e.payload.length;
  const out = Buffer.allocUnsafe(total);
  let off = 0;
  const seal = (end: number) => {
    const body = out.subarray(off + HEADER, end);
    out.writeUInt32LE(body.length, off);
    out.writeUInt32LE(crc32(body), off + 4);
    off = end;
  };
  if (gone.length > 0) seal(off + HEADER + out.write(goneText, off + HEADER));
  for (const e of events) {
    let at = off + HEADER;
    out[at++] = TYPE_EVENT;
    out[at++] = RANK_DIGIT_0 + CLASS_RANK[e.cls];
    out[at++] = TAB;
    at = writeLineHead(out, at, e);
    seal(at + e.payload.copy(out, at));
  }
  return out;
}

/** Splits a log into frame bodies; `good` is the length of the trustworthy prefix. */
export function readFrames(buf: Buffer): { bodies: Buffer[]; good: number } {
  const bodies: Buffer[] = [];
  let off = 0;
  while (off + HEADER <= buf.length) {
    const len = buf.readUInt32LE(off);
    // a zero length is what a pre-allocated or zero-filled tail looks like, never a record of ours
    if (len === 0 || len > MAX_RECORD_BYTES || off + HEADER + len > buf.length) break;
    const body = buf.subarray(off + HEADER, off + HEADER + len);
    if (crc32(body) !== buf.readUInt32LE(off + 4)) break;
    bodies.push(body);
    off += HEADER + len;
  }
  return { bodies, good: off };
}

/** A frame body as a record; null when it passed the CRC but is not one of ours (never trusted). */
export function decodeRecord(body: Buffer): WalRecord | null {
  const type = body[0];
  const text = body.toString('utf8', 1);
  if (type === TYPE_GONE) {
    if (text.length === 0) return { type: 'gone', seqs: [] };
    const seqs = text.split(',').map(Number);
    return seqs.every((s) => Number.isSafeInteger(s) && s >= 0) ? { type: 'gone', seqs } : null;
  }
  if (type === TYPE_EVENT) {
    const tab = text.indexOf('\t');
    const cls = tab === 1 ? OUTBOX_CLASSES[Number(text[0])] : undefined;
    if (!cls) return null;
    const [event] = decodeSegment(text.slice(2));
    return event ? { type: 'event', cls, event } : null;
  }
  return null;
}

/** Every record of a log, up to the first torn or corrupt frame. */
export function decodeLog(buf: Buffer): { records: WalRecord[]; good: number; unreadable: number } {
  const { bodies, good } = readFrames(buf);
  const records: WalRecord[] = [];
  let unreadable = 0;
  for (const b of bodies) {
    const r = decodeRecord(b);
    if (r) records.push(r);
    else unreadable++;
  }
  return { records, good, unreadable };
}
