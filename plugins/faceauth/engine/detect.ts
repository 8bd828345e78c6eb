// Face detection with fr_detect (an Ultra-Light RFB-320 style detector: input 1×3×240×320, (v−127)/128 RGB,
// outputs per-anchor `scores` [bg, face] and `boxes` already decoded to 0–1 corners).
import { cropResize, toChw, type RgbImage } from './image.js';
import type { Session } from './models.js';

export interface Box { x1: number; y1: number; x2: number; y2: number; score: number }

const W = 320, H = 240;

export interface DetectOptions { minScore?: number; nmsIou?: number; /** extra border around the image, as a fraction of its size */ margin?: number }

/**
 * Letterboxes the image into 320×240 (keeping its aspect, so faces are not squashed), runs the detector
 * and maps boxes back to image pixels. A margin shrinks the image inside the frame, which helps the
 * detector on tight face crops whose face would otherwise exceed its largest anchor.
 */
export async function detectFaces(session: Session, img: RgbImage, opts: DetectOptions = {}): Promise<Box[]> {
  const minScore = opts.minScore ?? 0.6, nmsIou = opts.nmsIou ?? 0.4, margin = opts.margin ?? 0;
  // frame = the source region (in image pixels) that maps onto the 320×240 input
  const fw0 = img.width * (1 + 2 * margin), fh0 = img.height * (1 + 2 * margin);
  const scale = Math.max(fw0 / W, fh0 / H);
  const fw = W * scale, fh = H * scale;
  const fx = (img.width - fw) / 2, fy = (img.height - fh) / 2;
  const input = cropResizePadded(img, fx, fy, fw, fh);
  const out = await session.run({ input: { data: toChw(input, 127, 128), dims: [1, 3, H, W] } });
  const scores = out.scores, boxes = out.boxes;
  const cands: Box[] = [];
  for (let i = 0; i < scores.length / 2; i++) {
    const s = scores[2 * i + 1];
    if (s < minScore) continue;
    const x1 = fx + boxes[4 * i] * fw, y1 = fy + boxes[4 * i + 1] * fh;
    const x2 = fx + boxes[4 * i + 2] * fw, y2 = fy + boxes[4 * i + 3] * fh;
    if (x2 - x1 < 2 || y2 - y1 < 2) continue;
    cands.push({ x1: Math.max(0, x1), y1: Math.max(0, y1), x2: Math.min(img.width, x2), y2: Math.min(img.height, y2), score: s });
  }
  return nms(cands, nmsIou);
}

/** Crop-resize where the area outside the image is neutral grey (127 → 0 after normalisation). */
function cropResizePadded(img: RgbImage, sx: number, sy: number, sw: number, sh: number): RgbImage {
  const out = new Uint8Array(W * H * 3).fill(127);
  const x0 = Math.max(0, Math.round((-sx / sw) * W)), y0 = Math.max(0, Math.round((-sy / sh) * H));
  const x1 = Math.min(W, Math.round(((img.width - sx) / sw) * W)), y1 = Math.min(H, Math.round(((img.height - sy) / sh) * H));
  const iw = x1 - x0, ih = y1 - y0;
  if (iw <= 0 || ih <= 0) return { data: out, width: W, height: H };
  const inner = cropResize(img, sx + (x0 / W) * sw, sy + (y0 / H) * sh, (iw / W) * sw, (ih / H) * sh, iw, ih);
  for (let y = 0; y < ih; y++) out.set(inner.data.subarray(y * iw * 3, (y + 1) * iw * 3), ((y + y0) * W + x0) * 3);
  return { data: out, width: W, height: H };
}

export function iou(a: Box, b: Box): number {
  const w = Math.max(0, Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1));
  const h = Math.max(0, Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1));
  const inter = w * h;
  const union = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter;
  return union > 0 ? inter / union : 0;
}

/** Greedy non-maximum suppression, highest score first. */
export function nms(boxes: Box[], threshold: number): Box[] {
  const sorted = [...boxes].sort((a, b) => b.score - a.score);
  const keep: Box[] = [];
  for (const b of sorted) if (keep.every((k) => iou(k, b) < threshold)) keep.push(b);
  return keep;
}
