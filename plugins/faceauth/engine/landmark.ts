// 68-point landmarks with fr_landmark: a square crop around the detected box, 64×64 grey, v/256;
// outputs 136 values in 0–1 of the crop.
import { cropResize, luma, type RgbImage } from './image.js';
import type { Box } from './detect.js';
import type { Session } from './models.js';

const S = 64;

/** The square crop the landmark model was trained on: centred on the box, side = box height. */
export function landmarkCrop(box: Box): { x: number; y: number; side: number } {
  const side = box.y2 - box.y1;
  const cx = (box.x1 + box.x2) / 2, cy = (box.y1 + box.y2) / 2;
  return { x: cx - side / 2, y: cy - side / 2, side };
}

/** Returns 68 points as a flat [x0, y0, …] array in image pixels. */
export async function predictLandmarks(session: Session, img: RgbImage, box: Box): Promise<Float32Array> {
  const c = landmarkCrop(box);
  const crop = cropResize(img, c.x, c.y, c.side, c.side, S, S);
  const input = new Float32Array(S * S);
  for (let i = 0; i < S * S; i++) input[i] = luma(crop, i) / 256;
  const out = (await session.run({ input: { data: input, dims: [1, 1, S, S] } })).output;
  const pts = new Float32Array(136);
  for (let i = 0; i < 68; i++) {
    pts[2 * i] = c.x + out[2 * i] * c.side;
    pts[2 * i + 1] = c.y + out[2 * i + 1] * c.side;
  }
  return pts;
}

/** Refines the box from the landmarks' extent, for a second, better-centred landmark pass. */
export function boxFromLandmarks(pts: Float32Array, score: number): Box {
  let x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity;
  for (let i = 0; i < 68; i++) {
    x1 = Math.min(x1, pts[2 * i]); x2 = Math.max(x2, pts[2 * i]);
    y1 = Math.min(y1, pts[2 * i + 1]); y2 = Math.max(y2, pts[2 * i + 1]);
  }
  return { x1, y1, x2, y2, score };
}
