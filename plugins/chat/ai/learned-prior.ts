// A learned prior over the KB's entries: a softmax model trained on every way of asking an entry the box knows (the
// entry's question, keywords and phrasings, and labelled customer questions), read on the engine's own tokens.
import type { KbEntry } from './kb-schema.js';
import type { Prepared } from './coverage.js';
import { trainSoftmax, type TrainingExample } from './softmax-model.js';

export function questionFeatures(q: Prepared): string[] {
  if (q.zh) return [...q.words.map((w) => `w:${w}`), ...q.grams.map((g) => `g:${g}`)];
  return [...q.en.map((t) => `e:${t}`), ...q.en.slice(1).map((t, i) => `b:${q.en[i]}_${t}`)];
}

export interface PriorReading {
  /** per entry, the model's probability relative to the most probable entry (1 for the best) */
  relative: Float64Array;
  /** the most probable entry's index and probability, and the probability that no entry answers */
  best: number; bestP: number; none: number;
}

/** null when nothing to learn from is given */
export function createLearnedPrior(entries: readonly KbEntry[], examples: ReadonlyArray<{ q: string; id: string | null }>,
  read: (question: string) => Prepared) {
  const ids = new Map(entries.map((e, i) => [e.id, i]));
  const none = entries.length;
  const data: TrainingExample[] = [];
  const add = (text: string, label: number) => {
    if (text.trim()) data.push({ features: questionFeatures(read(text)), label });
  };
  entries.forEach((e, i) => {
    for (const t of [e.question, e.question_en ?? '', ...(e.keywords ?? []), ...(e.alternates ?? [])]) add(t, i);
  });
  for (const x of examples) {
    const label = x.id === null ? none : ids.get(x.id);
    if (label !== undefined) add(x.q, label);
  }
  const model = trainSoftmax(data, entries.length + 1);
  return (q: Prepared): PriorReading => {
    const all = model.predict(questionFeatures(q));
    const p = all.subarray(0, none);
    let best = 0;
    for (let i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
    return { relative: p.map((v) => v / p[best]), best, bestP: p[best], none: all[none] };
  };
}
