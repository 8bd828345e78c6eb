// A small Okapi BM25 index over pre-tokenised documents; scoring is allocation-light for per-keystroke speed.
export interface Bm25Options { k1?: number; b?: number }

export interface Bm25Index {
  readonly size: number;
  idf(term: string): number;
  has(term: string): boolean;
  /** scores every document; returns a dense array indexed like the input documents */
  score(query: readonly string[]): Float64Array;
}

export function createBm25(docs: ReadonlyArray<readonly string[]>, opts: Bm25Options = {}): Bm25Index {
  const k1 = opts.k1 ?? 1.2;
  const b = opts.b ?? 0.6;
  const postings = new Map<string, Array<[number, number]>>();
  const lengths = docs.map((d) => d.length);
  const avg = lengths.reduce((a, x) => a + x, 0) / Math.max(1, docs.length) || 1;
  docs.forEach((doc, i) => {
    const tf = new Map<string, number>();
    for (const t of doc) tf.set(t, (tf.get(t) ?? 0) + 1);
    for (const [t, n] of tf) {
      let p = postings.get(t);
      if (!p) postings.set(t, (p = []));
      p.push([i, n]);
    }
  });
  const N = docs.length;
  const idfCache = new Map<string, number>();
  const idf = (t: string) => {
    let v = idfCache.get(t);
    if (v === undefined) {
      const df = postings.get(t)?.length ?? 0;
      v = Math.log(1 + (N - df + 0.5) / (df + 0.5));
      idfCache.set(t, v);
    }
    return v;
  };
  const norm = lengths.map((l) => k1 * (1 - b + (b * l) / avg));
  return {
    size: N,
    idf,
    has: (t) => postings.has(t),
    score(query) {
      const out = new Float64Array(N);
      const seen = new Set<string>();
      for (const t of query) {
        if (seen.has(t)) continue;
        seen.add(t);
        const p = postings.get(t);
        if (!p) continue;
        const w = idf(t);
        for (const [d, tf] of p) out[d] += (w * tf * (k1 + 1)) / (tf + norm[d]);
      }
      return out;
    },
  };
}
