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
 * Resamples the source rectangle (sx, sy, sw, sh) into a w×h RGB image. Area-averages when shrinking
 * by more than 2× so small model inputs do not alias.
 */
export function cropResize(img: RgbImage, sx: number, sy: number, sw: number, sh: number, w: number, h: number): RgbImage {
  const out = new Uint8Array(w * h * 3);
  const stepX = sw / w, stepY = sh / h;
  const taps = Math.max(1, Math.min(4, Math.floor(Math.max(stepX, stepY) / 2)));
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 3; c++) {
        let acc = 0;
        for (let ty = 0; ty < taps; ty++) {
          for (let tx = 0; tx < taps; tx++) {
            const px = sx + (x + (tx + 0.5) / taps) * stepX - 0.5;
            const py = sy + (y + (ty + 0.5) / taps) * stepY - 0.5;
            acc += sample(img, px, py, c);
          }
        }
        out[(y * w + x) * 3 + c] = Math.round(acc / (taps * taps));
      }
    }
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
