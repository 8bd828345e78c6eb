// Synthetic camera frames for face tests: a printed photo turned about its vertical axis in front of the
// camera (a pinhole projection of the tilted plane), and raw RGB ↔ PNG helpers.
import sharp from 'sharp';
import { decodeImage, sample, type RgbImage } from '../../plugins/faceauth/engine/image.js';

/**
 * The photo, centred at distance `dist` (in photo widths) from a camera whose focal length equals the
 * photo width, rotated by `deg` about its vertical axis. Nearer parts grow, as with a real handheld print.
 */
export async function tiltedPhoto(bytes: Uint8Array, deg: number, dist = 1.2, out = 320): Promise<Buffer> {
  const img: RgbImage = await decodeImage(bytes);
  const th = (deg * Math.PI) / 180, f = out * 0.8, z0 = dist * f;
  const s = img.width; // photo width in its own pixels = f at unit scale
  const data = new Uint8Array(out * out * 3).fill(128);
  for (let v = 0; v < out; v++) {
    for (let u = 0; u < out; u++) {
      const uc = u - out / 2, vc = v - out / 2;
      // ray through (uc, vc, f) meets the plane X = x cosθ, Z = z0 + x sinθ
      const den = f * Math.cos(th) - uc * Math.sin(th);
      if (den <= 0) continue;
      const x = (uc * z0) / den;
      const y = (vc * (z0 + x * Math.sin(th))) / f;
      const px = (x / f) * s + img.width / 2, py = (y / f) * s + img.height / 2;
      if (px < 0 || py < 0 || px > img.width - 1 || py > img.height - 1) continue;
      const o = (v * out + u) * 3;
      for (let c = 0; c < 3; c++) data[o + c] = sample(img, px, py, c);
    }
  }
  return sharp(Buffer.from(data), { raw: { width: out, height: out, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
}

export async function flipped(bytes: Uint8Array): Promise<Buffer> {
  return sharp(bytes).flop().png().toBuffer();
}
