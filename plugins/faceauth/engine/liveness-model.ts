// Passive liveness with fr_liveness (a MiniVision Silent-Face-Anti-Spoofing style classifier): the box grown
// 2.7×, 128×128 BGR, raw 0–255 values; 3 classes, softmax.
import { cropResize, type RgbImage } from './image.js';
import type { Box } from './detect.js';
import type { Session } from './models.js';

const S = 128;
/**
 * Class 0 is "real" and the input is BGR (as in the OpenCV training code): on the _antispoof samples this
 * order gives T1 0.98 real and F1/F2 ≥ 0.998 fake, while RGB gives T1 only 0.63. Three images prove little.
 */
export const REAL_CLASS = 0;

export async function livenessScores(session: Session, img: RgbImage, box: Box, scale = 2.7): Promise<number[]> {
  const w = box.x2 - box.x1, h = box.y2 - box.y1;
  const cx = (box.x1 + box.x2) / 2, cy = (box.y1 + box.y2) / 2;
  const s = Math.min(scale, (img.height - 1) / h, (img.width - 1) / w);
  let nw = w * s, nh = h * s;
  let x = Math.min(Math.max(0, cx - nw / 2), img.width - nw), y = Math.min(Math.max(0, cy - nh / 2), img.height - nh);
  nw = Math.min(nw, img.width); nh = Math.min(nh, img.height); x = Math.max(0, x); y = Math.max(0, y);
  const crop = cropResize(img, x, y, nw, nh, S, S);
  const n = S * S, data = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) data[c * n + i] = crop.data[i * 3 + 2 - c];
  const out = (await session.run({ input: { data, dims: [1, 3, S, S] } })).output;
  const max = Math.max(...out);
  const e = Array.from(out, (v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

export async function livenessScore(session: Session, img: RgbImage, box: Box): Promise<number> {
  return (await livenessScores(session, img, box))[REAL_CLASS];
}
