// Small vector helpers for embeddings (Float32Array, dimension 512).

export function l2normalise(v: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i] * v[i];
  n = Math.sqrt(n);
  if (n === 0 || !Number.isFinite(n)) throw new Error('embedding has zero or non-finite norm');
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i] / n;
  return out;
}

export function dot(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`dimension mismatch ${a.length} vs ${b.length}`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Cosine similarity of two vectors of any norm. */
export function cosine(a: Float32Array, b: Float32Array): number {
  return dot(l2normalise(a), l2normalise(b));
}

/** The template of several embeddings: the mean of their normalised vectors, normalised again. */
export function meanTemplate(vectors: Float32Array[]): Float32Array {
  if (vectors.length === 0) throw new Error('no embeddings to average');
  const acc = new Float32Array(vectors[0].length);
  for (const v of vectors) {
    const n = l2normalise(v);
    for (let i = 0; i < acc.length; i++) acc[i] += n[i];
  }
  return l2normalise(acc);
}
