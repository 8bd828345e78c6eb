// 5-point similarity alignment to the ArcFace 112×112 template (least squares, no shear, no reflection).
import { sample, type RgbImage } from './image.js';

export type Point = [number, number];

/** Eye centres, nose tip and mouth corners of the standard ArcFace crop (image left = subject's right). */
export const ARCFACE_112: Point[] = [
  [38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366], [41.5493, 92.3655], [70.7299, 92.2041],
];

/** The 5 alignment points from the 68 iBUG landmarks (flat [x0, y0, x1, y1, …] in image pixels). */
export function fivePoints(lm: Float32Array | number[]): Point[] {
  const mean = (from: number, to: number): Point => {
    let x = 0, y = 0;
    for (let i = from; i <= to; i++) { x += lm[2 * i]; y += lm[2 * i + 1]; }
    const n = to - from + 1;
    return [x / n, y / n];
  };
  const pt = (i: number): Point => [lm[2 * i], lm[2 * i + 1]];
  return [mean(36, 41), mean(42, 47), pt(30), pt(48), pt(54)];
}

/** Similarity transform as u = a·x − b·y + tx, v = b·x + a·y + ty. */
export interface Similarity { a: number; b: number; tx: number; ty: number }

/** Least-squares similarity mapping src onto dst (the closed form of Umeyama's method in 2-D). */
export function estimateSimilarity(src: Point[], dst: Point[]): Similarity {
  const n = src.length;
  let msx = 0, msy = 0, mdx = 0, mdy = 0;
  for (let i = 0; i < n; i++) { msx += src[i][0]; msy += src[i][1]; mdx += dst[i][0]; mdy += dst[i][1]; }
  msx /= n; msy /= n; mdx /= n; mdy /= n;
  let num_re = 0, num_im = 0, den = 0;
  for (let i = 0; i < n; i++) {
    const zx = src[i][0] - msx, zy = src[i][1] - msy;
    const wx = dst[i][0] - mdx, wy = dst[i][1] - mdy;
    // conj(z) · w
    num_re += zx * wx + zy * wy;
    num_im += zx * wy - zy * wx;
    den += zx * zx + zy * zy;
  }
  if (den === 0) throw new Error('degenerate landmarks');
  const a = num_re / den, b = num_im / den;
  return { a, b, tx: mdx - (a * msx - b * msy), ty: mdy - (b * msx + a * msy) };
}

export function applySimilarity(t: Similarity, p: Point): Point {
  return [t.a * p[0] - t.b * p[1] + t.tx, t.b * p[0] + t.a * p[1] + t.ty];
}

/** Warps the face into a size×size crop: every output pixel is sampled through the inverse transform. */
export function warpSimilarity(img: RgbImage, t: Similarity, size = 112): RgbImage {
  const out = new Uint8Array(size * size * 3);
  const det = t.a * t.a + t.b * t.b;
  const ia = t.a / det, ib = -t.b / det;
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      const du = u - t.tx, dv = v - t.ty;
      const x = ia * du - ib * dv, y = ib * du + ia * dv;
      const o = (v * size + u) * 3;
      // outside the image stays black, as in the ArcFace training crops (edge replication raised impostor scores)
      if (x < -1 || y < -1 || x > img.width || y > img.height) continue;
      out[o] = sample(img, x, y, 0); out[o + 1] = sample(img, x, y, 1); out[o + 2] = sample(img, x, y, 2);
    }
  }
  return { data: out, width: size, height: size };
}

/** Aligns a face from its 68 landmarks; `scale` of the transform tells how many source pixels per output pixel. */
export function alignFace(img: RgbImage, landmarks68: Float32Array | number[], size = 112): { crop: RgbImage; transform: Similarity } {
  const ref = size === 112 ? ARCFACE_112 : ARCFACE_112.map(([x, y]) => [x * size / 112, y * size / 112] as Point);
  const transform = estimateSimilarity(fivePoints(landmarks68), ref);
  return { crop: warpSimilarity(img, transform, size), transform };
}
