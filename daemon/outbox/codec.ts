// Pure encoding of the outbox's level records. One record ("segment") holds the events of one class written by
// one group commit, so a commit costs one put per class instead of one per event, and the PUBACKs of a
// segment cost one delete. Keys sort by class rank, then by the seq of the segment's first event.
import { OUTBOX_CLASSES, type OutboxClass } from '../../protocol/schemas.js';

export const CLASS_RANK: Record<OutboxClass, number> = { critical: 0, event: 1, telemetry: 2, bulk: 3 };

/** Level keys of the bookkeeping records; they sort after every segment key. */
export const META_SEQ_KEY = 'm:seq';
export const META_LOSSES_KEY = 'm:losses';
export const SEGMENT_RANGE = { gte: '0:', lt: '9' } as const;

const SEQ_WIDTH = 16;

export function segmentKey(cls: OutboxClass, firstSeq: number): string {
  return `${CLASS_RANK[cls]}:${String(firstSeq).padStart(SEQ_WIDTH, '0')}`;
}

export function parseSegmentKey(key: string): { cls: OutboxClass; firstSeq: number } | null {
  const m = /^(\d):(\d{16})$/.exec(key);
  if (!m) return null;
  const cls = OUTBOX_CLASSES[Number(m[1])];
  return cls ? { cls, firstSeq: Number(m[2]) } : null;
}

export interface EncodedEvent {
  seq: number;
  id: string;
  topic: string;
  retain: boolean;
  /**
   * The message as UTF-8 JSON, encoded once at enqueue: the log, the level record and the MQTT publish take these
   * bytes as they are. JSON.stringify never emits raw tabs or newlines, which keeps the line format unambiguous.
   */
  payload: Buffer;
}

/** Topics are split on tab and newline below, so they must not contain either (ours never do). */
export function isEncodableTopic(topic: string): boolean {
  return topic.length > 0 && !/[\t\n]/.test(topic);
}

/** A line without its payload (the last field): a writer may put the payload after it without concatenating. */
export function lineHead(e: EncodedEvent): string {
  return `${e.seq}\t${e.retain ? 1 : 0}\t${e.id}\t${e.topic}\t`;
}

/** lineHead(e)'s bytes, written into `out` at `at` without building the string; returns where they end. */
export function writeLineHead(out: Buffer, at: number, e: EncodedEvent): number {
  at += out.write(String(e.seq), at, 'latin1');
  out[at++] = TAB;
  out[at++] = e.retain ? DIGIT_1 : DIGIT_0;
  out[at++] = TAB;
  at += out.write(e.id, at);
  out[at++] = TAB;
  at += out.write(e.topic, at);
  out[at++] = TAB;
  return at;
}

/** Buffer.byteLength(lineHead(e)), without building the string. */
export function lineHeadBytes(e: EncodedEvent): number {
  let digits = 1;
  for (let n = e.seq; n >= 10; n = Math.floor(n / 10)) digits++;
  return digits + 5 + Buffer.byteLength(e.id) + Buffer.byteLength(e.topic); // 4 tabs and the retain flag
}

const TAB = 0x09;
const DIGIT_0 = 0x30;
const DIGIT_1 = 0x31;

export function encodeLine(e: EncodedEvent): string {
  return lineHead(e) + e.payload.toString();
}

export function encodeSegment(events: Iterable<EncodedEvent>): string {
  const lines: string[] = [];
  for (const e of events) lines.push(encodeLine(e));
  return lines.join('\n');
}

/** Decodes a segment; a malformed line is skipped and reported rather than poisoning the whole outbox. */
export function decodeSegment(value: string, onBadLine?: (line: string) => void): EncodedEvent[] {
  const out: EncodedEvent[] = [];
  if (value.length === 0) return out;
  for (const line of value.split('\n')) {
    const parts = line.split('\t');
    const seq = Number(parts[0]);
    if (parts.length < 5 || !Number.isSafeInteger(seq) || seq < 0 || (parts[1] !== '0' && parts[1] !== '1')) {
      onBadLine?.(line);
      continue;
    }
    // the payload is everything after the fourth tab (JSON has none, but be lenient)
    out.push({ seq, retain: parts[1] === '1', id: parts[2], topic: parts[3], payload: Buffer.from(parts.slice(4).join('\t')) });
  }
  return out;
}

/** Bytes an event costs against the outbox bound: its encoded line plus a fixed per-record overhead. */
export function eventBytes(e: EncodedEvent): number {
  return e.payload.length + Buffer.byteLength(e.topic) + e.id.length + 24;
}
