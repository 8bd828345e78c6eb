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

/** A 640×480 camera frame with the face image scaled to `size` px in the middle. */
export async function cameraFrame(bytes: Uint8Array, size = 300): Promise<Buffer> {
  const left = Math.round((640 - size) / 2), top = Math.round((480 - size) / 2);
  return sharp(bytes).resize(size, size).extend({ left, top, right: 640 - size - left, bottom: 480 - size - top, background: '#7a8088' }).jpeg({ quality: 90 }).toBuffer();
}

/** A Y4M clip (Chromium's fake camera input): each image becomes one 640×480 4:2:0 frame, played at `fps`. */
export async function y4m(images: Uint8Array[], fps: number): Promise<Buffer> {
  const W = 640, H = 480;
  const parts: Buffer[] = [Buffer.from(`YUV4MPEG2 W${W} H${H} F${fps}:1 Ip A1:1 C420jpeg\n`)];
  for (const img of images) {
    const { data } = await sharp(await cameraFrame(img)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const Y = Buffer.alloc(W * H), U = Buffer.alloc((W / 2) * (H / 2)), V = Buffer.alloc((W / 2) * (H / 2));
    for (let i = 0; i < W * H; i++) Y[i] = Math.round(0.257 * data[i * 3] + 0.504 * data[i * 3 + 1] + 0.098 * data[i * 3 + 2] + 16);
    for (let y = 0; y < H / 2; y++) {
      for (let x = 0; x < W / 2; x++) {
        let r = 0, g = 0, b = 0;
        for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) { const o = ((2 * y + dy) * W + 2 * x + dx) * 3; r += data[o]; g += data[o + 1]; b += data[o + 2]; }
        r /= 4; g /= 4; b /= 4;
        U[y * (W / 2) + x] = Math.round(-0.148 * r - 0.291 * g + 0.439 * b + 128);
        V[y * (W / 2) + x] = Math.round(0.439 * r - 0.368 * g - 0.071 * b + 128);
      }
    }
    parts.push(Buffer.from('FRAME\n'), Y, U, V);
  }
  return Buffer.concat(parts);
}
