// Pure merge of what a crash left behind: the level segments (written at checkpoints) and the write-ahead log
// (every event acknowledged since, plus the seqs acked or evicted since). The result is the set of segments
// level must hold so that the log can be deleted: classes the log touched are rebuilt in seq order.
import { OUTBOX_CLASSES, type OutboxClass } from '../../protocol/schemas.js';
import { segmentKey, type EncodedEvent } from './codec.js';
import type { WalRecord } from './wal-codec.js';

export interface StoredSegment { key: string; cls: OutboxClass; firstSeq: number; events: EncodedEvent[] }

export interface MergedReplay {
  /** every live segment, in key order (class rank, then seq) */
  segments: StoredSegment[];
  /** level keys to delete and segments to put, in that order, before the log may go */
  dels: string[];
  puts: StoredSegment[];
  maxSeq: number;
  /** events found only in the log */
  recovered: number;
  /** stored events the log says were acked or evicted */
  dropped: number;
}

export function mergeReplay(level: StoredSegment[], records: WalRecord[], maxSegmentEntries: number): MergedReplay {
  const gone = new Set<number>();
  const inLevel = new Set<number>();
  let maxSeq = 0;
  for (const r of records) if (r.type === 'gone') for (const s of r.seqs) { gone.add(s); if (s > maxSeq) maxSeq = s; }
  for (const s of level) for (const e of s.events) { inLevel.add(e.seq); if (e.seq > maxSeq) maxSeq = e.seq; }

  const extras = new Map<OutboxClass, EncodedEvent[]>();
  let recovered = 0;
  for (const r of records) {
    if (r.type !== 'event') continue;
    const seq = r.event.seq;
    if (seq > maxSeq) maxSeq = seq;
    if (inLevel.has(seq) || gone.has(seq)) continue;
    inLevel.add(seq); // a second copy of the same seq (never written by us) is ignored
    let list = extras.get(r.cls);
    if (!list) extras.set(r.cls, (list = []));
    list.push(r.event);
    recovered++;
  }

  const out: MergedReplay = { segments: [], dels: [], puts: [], maxSeq, recovered, dropped: 0 };
  for (const cls of OUTBOX_CLASSES) {
    const own = level.filter((s) => s.cls === cls);
    const dropped = own.reduce((n, s) => n + s.events.filter((e) => gone.has(e.seq)).length, 0);
    const added = extras.get(cls) ?? [];
    if (dropped === 0 && added.length === 0) { out.segments.push(...own); continue; }
    out.dropped += dropped;
    const events = own.flatMap((s) => s.events.filter((e) => !gone.has(e.seq))).concat(added).sort((a, b) => a.seq - b.seq);
    for (const s of own) out.dels.push(s.key);
    for (let i = 0; i < events.length; i += maxSegmentEntries) {
      const chunk = events.slice(i, i + maxSegmentEntries);
      const seg = { key: segmentKey(cls, chunk[0].seq), cls, firstSeq: chunk[0].seq, events: chunk };
      out.puts.push(seg);
      out.segments.push(seg);
    }
  }
  out.segments.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return out;
}
