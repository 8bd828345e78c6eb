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
  const lengths = docs.map((d) => d.length);
  const avg = lengths.reduce((a, x) => a + x, 0) / Math.max(1, docs.length) || 1;
  const raw = new Map<string, Array<[number, number]>>();
  docs.forEach((doc, i) => {
    const tf = new Map<string, number>();
    for (const t of doc) tf.set(t, (tf.get(t) ?? 0) + 1);
    for (const [t, n] of tf) {
      let p = raw.get(t);
      if (!p) raw.set(t, (p = []));
      p.push([i, n]);
    }
  });
  const N = docs.length;
  const idfOf = (df: number) => Math.log(1 + (N - df + 0.5) / (df + 0.5));
  // every (term, doc) contribution is fixed once the index is built: precompute it into flat typed arrays
  const postings = new Map<string, { docs: Int32Array; contrib: Float64Array; idf: number }>();
  for (const [t, p] of raw) {
    const idf = idfOf(p.length);
    const ds = new Int32Array(p.length);
    const cs = new Float64Array(p.length);
    p.forEach(([d, tf], k) => {
      ds[k] = d;
      cs[k] = (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * lengths[d]) / avg));
    });
    postings.set(t, { docs: ds, contrib: cs, idf });
  }
  return {
    size: N,
    idf: (t) => postings.get(t)?.idf ?? idfOf(0),
    has: (t) => postings.has(t),
    score(query) {
      const out = new Float64Array(N);
      const seen = new Set<string>();
      for (const t of query) {
        if (seen.has(t)) continue;
        seen.add(t);
        const p = postings.get(t);
        if (!p) continue;
        const { docs: ds, contrib: cs } = p;
        for (let k = 0; k < ds.length; k++) out[ds[k]] += cs[k];
      }
      return out;
    },
  };
}
