// Decoding and pixel helpers on raw interleaved RGB (sharp does the codecs; geometry stays in our code).
import sharp from 'sharp';

export interface RgbImage { data: Uint8Array; width: number; height: number }

/** The longest side we keep after decoding: enough for landmarks, cheap for the worker. */
export const MAX_SIDE = 1280;

/** Decodes any sharp-readable image (JPEG, PNG, WebP…), honouring EXIF orientation, to RGB. */
export async function decodeImage(input: Uint8Array, maxSide = MAX_SIDE): Promise<RgbImage> {
  const { data, info } = await sharp(input, { failOn: 'error' })
    .rotate()
    .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`expected 3 channels, got ${info.channels}`);
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
}

/** Bilinear sample of channel c at (x, y); outside the image reads as the nearest edge pixel. */
export function sample(img: RgbImage, x: number, y: number, c: number): number {
  const { data, width, height } = img;
  const xc = Math.min(Math.max(x, 0), width - 1);
  const yc = Math.min(Math.max(y, 0), height - 1);
  const x0 = Math.floor(xc), y0 = Math.floor(yc);
  const x1 = Math.min(x0 + 1, width - 1), y1 = Math.min(y0 + 1, height - 1);
  const fx = xc - x0, fy = yc - y0;
  const a = data[(y0 * width + x0) * 3 + c], b = data[(y0 * width + x1) * 3 + c];
  const d = data[(y1 * width + x0) * 3 + c], e = data[(y1 * width + x1) * 3 + c];
  return (a * (1 - fx) + b * fx) * (1 - fy) + (d * (1 - fx) + e * fx) * fy;
}

/**
 * Resamples the source rectangle (sx, sy, sw, sh) into a w×h RGB image (bilinear, edges clamped).
 * Averages taps×taps samples per pixel when shrinking by more than 2× so small model inputs do not alias.
 * Column positions and weights are computed once per call: this runs on every frame.
 */
export function cropResize(img: RgbImage, sx: number, sy: number, sw: number, sh: number, w: number, h: number): RgbImage {
  const { data, width, height } = img;
  const out = new Uint8Array(w * h * 3);
  const stepX = sw / w, stepY = sh / h;
  const taps = Math.max(1, Math.min(4, Math.floor(Math.max(stepX, stepY) / 2)));
  const n = w * taps;
  const x0s = new Int32Array(n), x1s = new Int32Array(n), fxs = new Float32Array(n);
  for (let x = 0; x < w; x++) {
    for (let t = 0; t < taps; t++) {
      const px = Math.min(Math.max(sx + (x + (t + 0.5) / taps) * stepX - 0.5, 0), width - 1);
      const i = x * taps + t, x0 = Math.floor(px);
      x0s[i] = x0 * 3; x1s[i] = Math.min(x0 + 1, width - 1) * 3; fxs[i] = px - x0;
    }
  }
  const acc = new Float32Array(w * 3);
  const norm = 1 / (taps * taps);
  for (let y = 0; y < h; y++) {
    acc.fill(0);
    for (let ty = 0; ty < taps; ty++) {
      const py = Math.min(Math.max(sy + (y + (ty + 0.5) / taps) * stepY - 0.5, 0), height - 1);
      const y0 = Math.floor(py), fy = py - y0;
      const r0 = y0 * width * 3, r1 = Math.min(y0 + 1, height - 1) * width * 3;
      for (let x = 0; x < w; x++) {
        for (let t = 0; t < taps; t++) {
          const i = x * taps + t, a = x0s[i], b = x1s[i], fx = fxs[i];
          for (let c = 0; c < 3; c++) {
            const top = data[r0 + a + c] * (1 - fx) + data[r0 + b + c] * fx;
            const bot = data[r1 + a + c] * (1 - fx) + data[r1 + b + c] * fx;
            acc[x * 3 + c] += top * (1 - fy) + bot * fy;
          }
        }
      }
    }
    const o = y * w * 3;
    for (let k = 0; k < w * 3; k++) out[o + k] = Math.round(acc[k] * norm);
  }
  return { data: out, width: w, height: h };
}

/** Mirror image left↔right. */
export function flipHorizontal(img: RgbImage): RgbImage {
  const { width, height, data } = img;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const s = (y * width + x) * 3, d = (y * width + (width - 1 - x)) * 3;
      out[d] = data[s]; out[d + 1] = data[s + 1]; out[d + 2] = data[s + 2];
    }
  }
  return { data: out, width, height };
}

/** Luma (BT.601) of one pixel index. */
export function luma(img: RgbImage, i: number): number {
  return 0.299 * img.data[i * 3] + 0.587 * img.data[i * 3 + 1] + 0.114 * img.data[i * 3 + 2];
}

/** Planar CHW float tensor data with (v - mean) / std per channel. */
export function toChw(img: RgbImage, mean: number, std: number): Float32Array {
  const n = img.width * img.height;
  const out = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    out[i] = (img.data[i * 3] - mean) / std;
    out[n + i] = (img.data[i * 3 + 1] - mean) / std;
    out[2 * n + i] = (img.data[i * 3 + 2] - mean) / std;
  }
  return out;
}
