// Sequence numbers and timestamps of one outgoing track, rewritten so the receiver sees one gapless stream while
// the source changes (another layer, a republished publisher) or pauses (audio out of last-N, muted). A gap in
// sequence numbers reads as loss to a browser (NACKs, concealment: the QoS panel's audio stutter), so after a pause
// the sequence continues; the timestamps keep their real spacing, which tells the receiver how long the silence was.
export interface SeqRewriter {
  /** the outgoing sequence number and timestamp of a source packet */
  map(seq: number, ts: number): [seq: number, ts: number];
  /** the packet was sent (only sent packets advance the outgoing stream) */
  sent(seq: number, ts: number): void;
  /** a new source: both continue from the last packet sent, one frame later */
  sourceChanged(seq: number, ts: number): void;
  /** the same source after skipped packets: the sequence continues, the timestamps stay the source's */
  resumed(seq: number): void;
}

export function createSeqRewriter(frameTicks: number): SeqRewriter {
  let seqOffset = 0; let tsOffset = 0;
  let lastSeq: number | null = null; let lastTs = 0;
  return {
    map: (seq, ts) => [(seq + seqOffset) & 0xffff, (ts + tsOffset) >>> 0],
    sent(seq, ts) { lastSeq = seq; lastTs = ts; },
    sourceChanged(seq, ts) {
      if (lastSeq === null) return;
      seqOffset = (lastSeq + 1 - seq) & 0xffff;
      tsOffset = (lastTs + frameTicks - ts) >>> 0;
    },
    resumed(seq) {
      if (lastSeq === null) return;
      seqOffset = (lastSeq + 1 - seq) & 0xffff;
    },
  };
}
