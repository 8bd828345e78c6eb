// In-memory 1:N gallery: int8-quantised templates in one flat matrix scanned with SIMD (512 bytes per
// template: 100,000 take 51 MB). Scores are the dequantised int8 dot products (within ~0.01 of the float
// cosine); callers that decide at a threshold re-score the few candidates exactly from the store.
import { createInt8Scanner, quantise } from './simd-scan.js';
import { l2normalise } from '../engine/vector.js';

export interface Match { id: string; score: number }

export interface Gallery {
  readonly size: number;
  upsert(id: string, template: Float32Array): void;
  remove(id: string): boolean;
  /** the k best matches by approximate cosine, best first */
  search(query: Float32Array, k?: number): Match[];
  clear(): void;
}

export function createGallery(dim = 512): Gallery {
  const scanner = createInt8Scanner(dim);
  let ids: string[] = [];
  let scales = new Float32Array(1024);
  const index = new Map<string, number>();
  const row = (r: number) => scanner.rows().subarray(r * dim, (r + 1) * dim);

  function write(r: number, v: Float32Array) {
    scales[r] = quantise(v, row(r)).scale;
  }

  return {
    get size() { return ids.length; },
    upsert(id, template) {
      const v = l2normalise(template);
      const at = index.get(id);
      if (at !== undefined) { write(at, v); return; }
      const r = ids.length;
      scanner.reserve(r + 1);
      if (scales.length <= r) { const s = new Float32Array(Math.max(r + 1, scales.length * 2)); s.set(scales); scales = s; }
      ids.push(id); index.set(id, r);
      write(r, v);
    },
    remove(id) {
      const r = index.get(id);
      if (r === undefined) return false;
      const last = ids.length - 1;
      if (r !== last) {
        // move the last row into the hole so the matrix stays dense
        row(r).set(row(last)); scales[r] = scales[last];
        ids[r] = ids[last]; index.set(ids[r], r);
      }
      ids.pop(); index.delete(id);
      return true;
    },
    search(query, k = 5) {
      const n = ids.length;
      if (n === 0) return [];
      const q = l2normalise(query);
      const { q: qi, scale } = quantise(q);
      const raw = scanner.scan(qi, n);
      const keep = Math.min(n, k);
      const top: Array<{ r: number; s: number }> = [];
      let floor = -Infinity;
      for (let r = 0; r < n; r++) {
        const s = raw[r] * scales[r];
        if (top.length < keep) { top.push({ r, s }); if (top.length === keep) { top.sort((a, b) => b.s - a.s); floor = top[keep - 1].s; } continue; }
        if (s <= floor) continue;
        let i = keep - 1;
        while (i > 0 && top[i - 1].s < s) { top[i] = top[i - 1]; i--; }
        top[i] = { r, s }; floor = top[keep - 1].s;
      }
      return top.map(({ r, s }) => ({ id: ids[r], score: s * scale }));
    },
    clear() { ids = []; index.clear(); },
  };
}
