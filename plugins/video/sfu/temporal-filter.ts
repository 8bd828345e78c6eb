// Temporal-layer forwarding for one (subscriber, publisher) video down-track. A VP8 L1T3 stream (Chrome's
// simulcast default) numbers its frames TID 0,2,1,2,…; a grid thumbnail needs only TID ≤ 0 or ≤ 1 (¼ or ½
// the frame rate), so the SFU drops the upper frames, as mediasoup's preferred temporal layer does. The
// receiver must not see the hole: sequence numbers are renumbered without the dropped packets (no NACKs for
// them) and picture ids without the dropped frames; across a simulcast switch picture id and TL0PICIDX
// continue from the last ones sent (the sequence number and timestamp are continued by the outbound track).
import { pictureIdMask, type Vp8Info } from './vp8.js';

export interface Forward {
  seq: number;
  pictureId: number;
  tl0PicIdx: number;
  /** picture id or TL0PICIDX differ from the packet's: the payload needs a private copy */
  rewrite: boolean;
}

export interface TemporalFilter {
  /** highest TID to forward (2 = everything of an L1T3 stream); applied at the next safe frame */
  setMaxTid(tid: number): void;
  readonly maxTid: number;
  /** the TID cap in force now */
  readonly currentTid: number;
  /** a new source stream begins (simulcast switch or publisher restart) with the packet passed next */
  reset(): void;
  /** null = drop; otherwise the numbers the receiver sees */
  process(seq: number, info: Vp8Info | null): Forward | null;
  readonly dropped: number;
}

/** how far back (in input sequence numbers) a late packet is still mapped exactly */
const WINDOW = 4096;
const PID_RING = 16;

export function createTemporalFilter(): TemporalFilter {
  let target = 2;
  let current = 2;
  let started = false;
  let maxIn = 0; // extended (unwrapped) highest input sequence number
  let drops = 0; // packets dropped so far (in order)
  const droppedSeqs: number[] = []; // extended, ascending, within WINDOW of maxIn
  let pidDelta = 0; let tl0Delta = 0;
  let lastDroppedPid = -1;
  let lastOutPid = -1; let lastOutTl0 = -1;
  // recent forwarded frames (input pid → output pid), so a late packet of one gets its frame's number
  const ring: Array<[number, number]> = [];
  let needContinuity = false;
  let droppedTotal = 0;

  const unwrap = (seq: number) => maxIn + ((((seq - maxIn) & 0xffff) ^ 0x8000) - 0x8000);

  return {
    setMaxTid(tid) { target = Math.max(0, Math.min(3, tid)); },
    get maxTid() { return target; },
    get currentTid() { return current; },
    get dropped() { return droppedTotal; },
    reset() {
      started = false; drops = 0; droppedSeqs.length = 0; ring.length = 0; lastDroppedPid = -1;
      needContinuity = lastOutPid >= 0 || lastOutTl0 >= 0;
    },
    process(seq, info) {
      const tid = info?.tid ?? 0;
      if (!started) {
        started = true;
        maxIn = 0x10000 * 64 + seq - 1; // room below for late packets, no negative numbers
      }
      const ext = unwrap(seq);
      const inOrder = ext > maxIn;
      if (info?.frameStart && inOrder) {
        // down: at any frame start (lower layers never reference upper ones); up: where the new layers can be
        // decoded from what the receiver already has (base layer, layer sync, key frame)
        if (target < current) current = target;
        else if (target > current && (info.keyframe || info.tid === 0 || (info.layerSync && info.tid <= target))) current = target;
      }
      const drop = tid > current;
      if (inOrder) {
        maxIn = ext;
        if (drop) {
          drops++; droppedTotal++;
          droppedSeqs.push(ext);
          while (droppedSeqs.length && droppedSeqs[0]! < maxIn - WINDOW) droppedSeqs.shift();
          if (info && info.pictureIdBits && info.pictureId !== lastDroppedPid) { lastDroppedPid = info.pictureId; pidDelta--; }
          return null;
        }
      } else if (drop || ext < maxIn - WINDOW) {
        // a late packet of a dropped layer: its number was never handed out; too old: unknowable
        return null;
      }
      let after = 0;
      if (!inOrder) for (let i = droppedSeqs.length - 1; i >= 0 && droppedSeqs[i]! > ext; i--) after++;
      const outSeq = (ext - (drops - after)) & 0xffff;
      if (!info || (info.pictureIdBits === 0 && info.tl0At < 0)) return { seq: outSeq, pictureId: -1, tl0PicIdx: -1, rewrite: false };
      if (needContinuity && info.frameStart) {
        needContinuity = false;
        pidDelta = info.pictureIdBits && lastOutPid >= 0 ? lastOutPid + 1 - info.pictureId : 0;
        tl0Delta = info.tl0At >= 0 && lastOutTl0 >= 0 ? lastOutTl0 + 1 - info.tl0PicIdx : 0;
      }
      let outPid = -1;
      if (info.pictureIdBits) {
        const pidMask = pictureIdMask(info);
        const known = !inOrder ? ring.find((r) => r[0] === info.pictureId) : undefined;
        outPid = known ? known[1] : (info.pictureId + pidDelta) & pidMask;
        if (!known && inOrder) {
          if (!ring.length || ring[ring.length - 1]![0] !== info.pictureId) {
            ring.push([info.pictureId, outPid]);
            if (ring.length > PID_RING) ring.shift();
          }
          lastOutPid = outPid;
        }
      }
      const outTl0 = info.tl0At >= 0 ? (info.tl0PicIdx + tl0Delta) & 0xff : -1;
      if (info.tl0At >= 0 && inOrder) lastOutTl0 = outTl0;
      return { seq: outSeq, pictureId: outPid, tl0PicIdx: outTl0, rewrite: outPid !== info.pictureId || outTl0 !== info.tl0PicIdx };
    },
  };
}
