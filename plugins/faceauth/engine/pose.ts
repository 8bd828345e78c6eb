// Head pose: a geometric estimate from the 68 landmarks (cheap, used on every frame) and the fr_pose model
// (Hopenet-style: 66 bins of 3°, used to calibrate and cross-check the geometric estimate).
import { cropResize, type RgbImage } from './image.js';
import type { Box } from './detect.js';
import type { Session } from './models.js';

export interface Pose { yaw: number; pitch: number; roll: number }

const RAD = 180 / Math.PI;
/**
 * Degrees per unit of the landmark ratios, fitted by least squares against fr_pose on the 66 faces of the
 * dev set (yaw: correlation 0.96; pitch: only 0.56, so pitch checks stay loose). The sign follows fr_pose:
 * positive yaw = the subject turned to their left (the nose moves to image right... see the test).
 */
export const YAW_GAIN = -42.6;
export const PITCH_GAIN = -57;

const pt = (lm: Float32Array, i: number): [number, number] => [lm[2 * i], lm[2 * i + 1]];

/**
 * yaw: where the nose tip sits between the two jaw sides (0 = centred; positive = the face turned towards
 * image left); pitch: nose height between the eye line and the mouth line against the frontal 0.49;
 * roll: the angle of the eye line.
 */
export function poseFromLandmarks(lm: Float32Array): Pose {
  const nose = pt(lm, 30);
  const jl = pt(lm, 2), jr = pt(lm, 14);
  const dl = Math.hypot(nose[0] - jl[0], nose[1] - jl[1]), dr = Math.hypot(jr[0] - nose[0], jr[1] - nose[1]);
  const yawRatio = (dl - dr) / Math.max(1e-6, dl + dr);
  const eye = (a: number, b: number) => { let x = 0, y = 0; for (let i = a; i <= b; i++) { x += lm[2 * i]; y += lm[2 * i + 1]; } return [x / (b - a + 1), y / (b - a + 1)]; };
  const le = eye(36, 41), re = eye(42, 47);
  const ml = pt(lm, 48), mr = pt(lm, 54);
  const eyeMid = [(le[0] + re[0]) / 2, (le[1] + re[1]) / 2], mouthMid = [(ml[0] + mr[0]) / 2, (ml[1] + mr[1]) / 2];
  const faceLen = Math.hypot(mouthMid[0] - eyeMid[0], mouthMid[1] - eyeMid[1]);
  const noseAlong = ((nose[0] - eyeMid[0]) * (mouthMid[0] - eyeMid[0]) + (nose[1] - eyeMid[1]) * (mouthMid[1] - eyeMid[1])) / Math.max(1e-6, faceLen * faceLen);
  return {
    yaw: yawRatio * YAW_GAIN,
    pitch: (noseAlong - 0.49) * PITCH_GAIN,
    roll: Math.atan2(re[1] - le[1], re[0] - le[0]) * RAD,
  };
}

function expectation(logits: Float32Array): number {
  let max = -Infinity;
  for (const v of logits) max = Math.max(max, v);
  let sum = 0, acc = 0;
  for (let i = 0; i < logits.length; i++) { const e = Math.exp(logits[i] - max); sum += e; acc += e * i; }
  return (acc / sum) * 3 - 99;
}

/** fr_pose: the box grown by a quarter on each side, 224×224 RGB with ImageNet mean/std. */
export async function poseFromModel(session: Session, img: RgbImage, box: Box): Promise<Pose> {
  const w = box.x2 - box.x1, h = box.y2 - box.y1;
  const crop = cropResize(img, box.x1 - w / 4, box.y1 - h / 4, w * 1.5, h * 1.5, 224, 224);
  const n = 224 * 224, data = new Float32Array(3 * n);
  const mean = [0.485, 0.456, 0.406], std = [0.229, 0.224, 0.225];
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) data[c * n + i] = (crop.data[i * 3 + c] / 255 - mean[c]) / std[c];
  const out = await session.run({ input: { data, dims: [1, 3, 224, 224] } });
  return { yaw: expectation(out.output), pitch: expectation(out['617']), roll: expectation(out['618']) };
}
