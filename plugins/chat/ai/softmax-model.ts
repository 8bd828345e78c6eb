// A multinomial logistic regression over sparse binary features, trained by AdaGrad SGD with a fixed seed (the same
// KB and examples always give the same model). A small KB's model has a weight for every feature and class; a big
// one's is sparse in the classes too: a feature has weights only for the classes it was seen with in training, and a
// class none of the question's features was seen with scores 0. So a 1,000-entry KB trains in seconds, not minutes.
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformInt } from 'pure-rand/distribution/uniformInt';

export interface SoftmaxModel {
  /** class probabilities for a feature set (unknown features are ignored) */
  predict(features: readonly string[]): Float64Array;
}

export interface TrainingExample { features: readonly string[]; label: number }

/** `steps`: examples seen in all, as epochs over the data (at least `minEpochs`): a big KB's many examples need fewer passes */
export interface SoftmaxOptions { steps: number; minEpochs: number; rate: number; l2: number; seed: number }
export const SOFTMAX_DEFAULTS: SoftmaxOptions = { steps: 30_000, minEpochs: 3, rate: 0.5, l2: 1e-5, seed: 1 };

/** up to this many weights (features x classes), every feature has a weight for every class */
const DENSE_WEIGHTS = 4_000_000;
/** beyond that, a feature seen with more classes than this says little about which one, and costs much: dropped */
const SPARSE_MAX_CLASSES = 64;

export function trainSoftmax(examples: readonly TrainingExample[], classes: number, o: SoftmaxOptions = SOFTMAX_DEFAULTS): SoftmaxModel {
  const index = new Map<string, number>();
  const seen: Array<Set<number>> = [];
  const rows = examples.map((e) => {
    const ids = [...new Set(e.features)].map((f) => {
      let k = index.get(f);
      if (k === undefined) { k = index.size; index.set(f, k); seen.push(new Set()); }
      seen[k].add(e.label);
      return k;
    });
    return { ids: Int32Array.from(ids), scale: ids.length ? 1 / Math.sqrt(ids.length) : 0, label: e.label };
  });
  // per feature, the classes it has weights for: weight k of feature f is at offset[f] + k
  const all = Int32Array.from({ length: classes }, (_, c) => c);
  const dense = seen.length * classes <= DENSE_WEIGHTS;
  const none = new Int32Array(0);
  const featClasses = seen.map((s) => (dense ? all : s.size > SPARSE_MAX_CLASSES ? none : Int32Array.from([...s].sort((a, b) => a - b))));
  const offset = new Int32Array(featClasses.length + 1);
  featClasses.forEach((c, f) => { offset[f + 1] = offset[f] + c.length; });
  const w = new Float64Array(offset[featClasses.length]);
  const g2 = new Float64Array(w.length).fill(1e-8);
  const logits = new Float64Array(classes);
  const touched: number[] = [];
  const isTouched = new Uint8Array(classes);
  const err = new Float64Array(classes);

  /** the question's scores into `logits` (touched classes only); returns the softmax normaliser */
  function forward(ids: Int32Array, scale: number): number {
    for (const c of touched) { logits[c] = 0; isTouched[c] = 0; }
    touched.length = 0;
    if (dense) {
      // every class is touched: no bookkeeping in the inner loop
      for (let c = 0; c < classes; c++) { isTouched[c] = 1; touched.push(c); }
      for (const f of ids) { const at = offset[f]; for (let c = 0; c < classes; c++) logits[c] += w[at + c] * scale; }
    } else {
      for (const f of ids) {
        const cs = featClasses[f];
        for (let k = 0; k < cs.length; k++) {
          const c = cs[k];
          if (!isTouched[c]) { isTouched[c] = 1; touched.push(c); }
          logits[c] += w[offset[f] + k] * scale;
        }
      }
    }
    let max = 0; // the untouched classes score 0
    for (const c of touched) if (logits[c] > max) max = logits[c];
    let z = (classes - touched.length) * Math.exp(-max);
    for (const c of touched) z += Math.exp(logits[c] - max);
    return Math.log(z) + max;
  }

  const random = xoroshiro128plus(o.seed);
  const order = rows.map((_, i) => i);
  const epochs = Math.max(o.minEpochs, Math.round(o.steps / Math.max(1, rows.length)));
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) { const j = uniformInt(random, 0, i); [order[i], order[j]] = [order[j], order[i]]; }
    for (const i of order) {
      const r = rows[i];
      const logZ = forward(r.ids, r.scale);
      for (const c of touched) err[c] = (Math.exp(logits[c] - logZ) - (c === r.label ? 1 : 0)) * r.scale;
      for (const f of r.ids) {
        const cs = featClasses[f];
        for (let k = 0; k < cs.length; k++) {
          const at = offset[f] + k;
          const grad = err[cs[k]] + o.l2 * w[at];
          g2[at] += grad * grad;
          w[at] -= (o.rate * grad) / Math.sqrt(g2[at]);
        }
      }
    }
  }
  return {
    predict(features) {
      const distinct = new Set(features);
      const ids = Int32Array.from([...distinct].map((f) => index.get(f)).filter((x): x is number => x !== undefined));
      // scaled by all the question's features, as in training: unknown words dilute what the known ones say
      const logZ = forward(ids, distinct.size ? 1 / Math.sqrt(distinct.size) : 0);
      const out = new Float64Array(classes).fill(Math.exp(-logZ));
      for (const c of touched) out[c] = Math.exp(logits[c] - logZ);
      return out;
    },
  };
}
