// Active liveness: a random challenge (turn the head left/right, or blink) checked over a frame sequence
// from the landmarks. A still image or a photo held still gives the same yaw and eye opening in every frame.
// A flat print turned about its vertical axis squeezes the face evenly, which keeps the nose–jaw ratio the
// yaw estimate is built on; only close to the lens does perspective fake some yaw (measured: up to ~16° at
// 1.2 photo widths, up to ~27° at 0.7 widths and 50° tilt), hence the 25° bar for a turn.
import { randomBytes, randomInt } from 'node:crypto';
import { dot } from '../engine/vector.js';
import type { AnalyseResult } from '../engine/pipeline.js';

export type ChallengeKind = 'turn-left' | 'turn-right' | 'blink';
export interface Challenge {
  id: string; kind: ChallengeKind; issuedAt: number; expiresAt: number;
  /** identity already checked before the face step (password or code): the login needs no second check */
  verified?: { account: string; method: 'password' | 'otp'; terminal: string };
}

/** What the challenge needs from one frame (the largest face). */
export interface FrameObservation { faces: number; yaw?: number; ear?: number; embedding?: Float32Array }

/** The observation of one analysed frame: faces at least half the main face's height count as people. */
export function observeFrame(r: AnalyseResult | null): FrameObservation {
  const f = r?.faces[0];
  if (!f) return { faces: 0 };
  const h = f.box.y2 - f.box.y1;
  return { faces: r!.faces.filter((x) => x.box.y2 - x.box.y1 >= 0.5 * h).length, yaw: f.pose.yaw, ear: eyeAspectRatio(f.landmarks), embedding: f.embedding };
}

export interface ChallengeResult { passed: boolean; reason?: string; detail: Record<string, number> }

export const LIVENESS_LIMITS = {
  minFrames: 3, frontalYaw: 10, turnedYaw: 25, minYawRange: 20,
  /** consecutive frames of one continuous movement are very alike; a swapped photo is not */
  minFrameConsistency: 0.4,
  blinkClosedRatio: 0.65, blinkOpenRatio: 0.85,
};

/** Eye aspect ratio (Soukupová & Čech) of both eyes from the 68 landmarks. */
export function eyeAspectRatio(lm: ArrayLike<number>): number {
  const d = (a: number, b: number) => Math.hypot(lm[2 * a] - lm[2 * b], lm[2 * a + 1] - lm[2 * b + 1]);
  const ear = (o: number) => (d(o + 1, o + 5) + d(o + 2, o + 4)) / (2 * Math.max(1e-6, d(o, o + 3)));
  return (ear(36) + ear(42)) / 2;
}

/**
 * Customer's left is the image's right on an unmirrored camera frame, where fr_pose (and our calibrated
 * landmark estimate) reads negative yaw.
 */
export const YAW_SIGN: Record<'turn-left' | 'turn-right', number> = { 'turn-left': -1, 'turn-right': 1 };

export function evaluateChallenge(kind: ChallengeKind, frames: FrameObservation[], limits = LIVENESS_LIMITS): ChallengeResult {
  const seen = frames.filter((f) => f.faces > 0);
  const detail: Record<string, number> = { frames: frames.length, with_face: seen.length };
  if (frames.some((f) => f.faces > 1)) return { passed: false, reason: 'MULTIPLE_FACES', detail };
  if (seen.length < limits.minFrames) return { passed: false, reason: 'TOO_FEW_FRAMES', detail };
  for (let i = 1; i < seen.length; i++) {
    const a = seen[i - 1].embedding, b = seen[i].embedding;
    if (a && b) {
      const c = dot(a, b);
      detail.min_consistency = Math.min(detail.min_consistency ?? 1, c);
      if (c < limits.minFrameConsistency) return { passed: false, reason: 'FACE_CHANGED', detail };
    }
  }
  if (kind === 'blink') return blink(seen, limits, detail);
  const yaws = seen.map((f) => f.yaw ?? 0);
  const signed = yaws.map((y) => y * YAW_SIGN[kind]);
  detail.yaw_min = Math.min(...yaws); detail.yaw_max = Math.max(...yaws);
  detail.turn = Math.max(...signed);
  if (!yaws.some((y) => Math.abs(y) <= limits.frontalYaw)) return { passed: false, reason: 'NO_FRONTAL_FRAME', detail };
  if (detail.turn < limits.turnedYaw) return { passed: false, reason: Math.min(...signed) <= -limits.turnedYaw ? 'WRONG_DIRECTION' : 'NO_TURN', detail };
  if (detail.yaw_max - detail.yaw_min < limits.minYawRange) return { passed: false, reason: 'NO_TURN', detail };
  return { passed: true, detail };
}

function blink(seen: FrameObservation[], limits: typeof LIVENESS_LIMITS, detail: Record<string, number>): ChallengeResult {
  const ears = seen.map((f) => f.ear ?? 0);
  const open = [...ears].sort((a, b) => b - a)[Math.floor(ears.length / 4)];
  detail.ear_open = open; detail.ear_min = Math.min(...ears);
  // open → closed → open, in this order
  const closedAt = ears.findIndex((e, i) => e <= limits.blinkClosedRatio * open && ears.slice(0, i).some((x) => x >= limits.blinkOpenRatio * open));
  if (closedAt < 0) return { passed: false, reason: 'NO_BLINK', detail };
  if (!ears.slice(closedAt + 1).some((x) => x >= limits.blinkOpenRatio * open)) return { passed: false, reason: 'NO_BLINK', detail };
  return { passed: true, detail };
}

/** Issued challenges: random kind and id, single use, short-lived. */
export interface ChallengeBook {
  issue(kinds?: ChallengeKind[], verified?: Challenge['verified']): Challenge;
  take(id: string): Challenge | null;
  clear(): void;
}

export function createChallengeBook(ttlMs = 60_000, now: () => number = Date.now): ChallengeBook {
  const open = new Map<string, Challenge>();
  return {
    issue(kinds = ['turn-left', 'turn-right'], verified) {
      const t = now();
      for (const [id, c] of open) if (c.expiresAt < t) open.delete(id);
      const c: Challenge = { id: randomBytes(12).toString('base64url'), kind: kinds[randomInt(kinds.length)], issuedAt: t, expiresAt: t + ttlMs, ...(verified ? { verified } : {}) };
      open.set(c.id, c);
      return c;
    },
    take(id) {
      const c = open.get(id);
      open.delete(id);
      return c && c.expiresAt >= now() ? c : null;
    },
    clear() { open.clear(); },
  };
}
