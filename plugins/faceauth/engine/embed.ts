// 512-d embedding with fr_feature: 112×112 aligned RGB, (v−127)/128; the raw output is L2-normalised here
// so that scores are plain cosine similarities.
import { flipHorizontal, toChw, type RgbImage } from './image.js';
import type { Session } from './models.js';
import { l2normalise } from './vector.js';

export const EMBEDDING_DIM = 512;

async function raw(session: Session, crop: RgbImage): Promise<Float32Array> {
  const out = await session.run({ input: { data: toChw(crop, 127, 128), dims: [1, 3, 112, 112] } });
  return Float32Array.from(out.output);
}

/** The embedding of an aligned crop; with `flip`, the sum with the mirrored crop's (test-time augmentation). */
export async function embedAligned(session: Session, crop: RgbImage, flip = true): Promise<Float32Array> {
  const e = await raw(session, crop);
  if (flip) {
    const f = await raw(session, flipHorizontal(crop));
    for (let i = 0; i < e.length; i++) e[i] += f[i];
  }
  return l2normalise(e);
}
