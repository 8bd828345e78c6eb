// Synthetic capture variations of one face image (sharp), as extra genuine pairs for the threshold study.
import sharp, { type Sharp } from 'sharp';

export const AUGMENTATIONS: Record<string, (img: Sharp) => Sharp> = {
  dark: (i) => i.modulate({ brightness: 0.55 }),
  bright: (i) => i.modulate({ brightness: 1.5 }),
  blur: (i) => i.blur(1.6),
  rotate: (i) => i.rotate(12, { background: '#808080' }),
  small: (i) => i.resize({ width: 90 }),
  jpeg: (i) => i.jpeg({ quality: 25 }),
  noise: (i) => i.gamma(2.2).sharpen({ sigma: 1.2 }),
};

export async function augment(bytes: Uint8Array, name: keyof typeof AUGMENTATIONS): Promise<Uint8Array> {
  const out = await AUGMENTATIONS[name](sharp(bytes).rotate()).png().toBuffer();
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
