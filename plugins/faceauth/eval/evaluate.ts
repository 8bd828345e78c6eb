// `kefu face eval`: every genuine and impostor pair of a folder-per-person set at a given threshold,
// plus optional checks for the threshold study (synthetic augmentations, group photos).
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FaceEngine } from '../engine/engine.js';
import { dot } from '../engine/vector.js';
import { augment, AUGMENTATIONS } from './augment.js';
import { distribution, impostorTailThreshold, rates, type Distribution } from './score-stats.js';

const IMAGE = /\.(jpe?g|png|webp|bmp|tiff?|gif|avif)$/i;

export interface EvalResult {
  persons: number; images: number; detected: number; genuine_pairs: number; impostor_pairs: number;
  threshold: number; frr: number; far: number; ms_per_image: number;
}

export interface EvalStats {
  genuine: Distribution; impostor: Distribution; tail_threshold_1e4: number;
  augmented?: { images: number; detected: number; genuine: Distribution; impostor: Distribution; frr: number; far: number; by_kind: Record<string, { frr: number; min: number }> };
  scenes?: { images: number; faces: number; impostor: Distribution; far: number };
}

interface Sample { person: string; file: string; kind?: string; emb: Float32Array | null }

export async function listPersons(dir: string): Promise<Array<{ person: string; files: string[] }>> {
  const entries = await readdir(dir, { withFileTypes: true });
  const persons = [];
  for (const e of entries.filter((x) => x.isDirectory() && !x.name.startsWith('_') && !x.name.startsWith('.')).sort((a, b) => a.name.localeCompare(b.name))) {
    const files = (await readdir(join(dir, e.name))).filter((f) => IMAGE.test(f)).sort().map((f) => join(dir, e.name, f));
    if (files.length) persons.push({ person: e.name, files });
  }
  return persons;
}

async function embedLargest(engine: FaceEngine, bytes: Uint8Array): Promise<Float32Array | null> {
  const r = await engine.analyse(bytes, { embed: 'largest' });
  return r.faces[0]?.embedding ?? null;
}

/** Scores of every pair; a pair with an undetected image scores -1 (a genuine one counts as rejected). */
function pairScores(a: Sample[], b: Sample[] | null, same: (x: Sample, y: Sample) => boolean) {
  const genuine: number[] = [], impostor: number[] = [];
  const score = (x: Sample, y: Sample) => (x.emb && y.emb ? dot(x.emb, y.emb) : -1);
  if (b === null) {
    for (let i = 0; i < a.length; i++) for (let j = i + 1; j < a.length; j++) (same(a[i], a[j]) ? genuine : impostor).push(score(a[i], a[j]));
  } else {
    for (const x of a) for (const y of b) (same(x, y) ? genuine : impostor).push(score(x, y));
  }
  return { genuine, impostor };
}

export async function evaluateDir(engine: FaceEngine, dir: string, threshold: number, opts: { stats?: boolean; augment?: boolean; scenes?: string } = {}): Promise<{ result: EvalResult; stats?: EvalStats }> {
  const persons = await listPersons(dir);
  const jobs = persons.flatMap((p) => p.files.map((file) => ({ person: p.person, file })));
  const t0 = performance.now();
  const samples: Sample[] = await Promise.all(jobs.map(async (j) => ({ ...j, emb: await embedLargest(engine, await readFile(j.file)) })));
  const ms = (performance.now() - t0) / Math.max(1, jobs.length);
  const same = (x: Sample, y: Sample) => x.person === y.person;
  const { genuine, impostor } = pairScores(samples, null, same);
  const { frr, far } = rates(genuine, impostor, threshold);
  const result: EvalResult = {
    persons: persons.length, images: samples.length, detected: samples.filter((s) => s.emb).length,
    genuine_pairs: genuine.length, impostor_pairs: impostor.length, threshold,
    frr: round(frr), far: round(far), ms_per_image: Math.round(ms * 10) / 10,
  };
  if (!opts.stats && !opts.augment && !opts.scenes) return { result };
  const stats: EvalStats = { genuine: distribution(genuine), impostor: distribution(impostor), tail_threshold_1e4: round(impostorTailThreshold(impostor)) };
  if (opts.augment) stats.augmented = await augmentedStudy(engine, samples, threshold);
  if (opts.scenes) stats.scenes = await scenesStudy(engine, opts.scenes, threshold);
  return { result, stats };
}

async function augmentedStudy(engine: FaceEngine, originals: Sample[], threshold: number): Promise<NonNullable<EvalStats['augmented']>> {
  const kinds = Object.keys(AUGMENTATIONS) as Array<keyof typeof AUGMENTATIONS>;
  const variants: Sample[] = await Promise.all(originals.flatMap((o) => kinds.map(async (kind) => ({
    person: o.person, file: o.file, kind, emb: await embedLargest(engine, await augment(await readFile(o.file), kind)),
  }))));
  // a variant against every original: the same person (its own source included) is genuine, others impostor
  const { genuine, impostor } = pairScores(variants, originals, (x, y) => x.person === y.person);
  const r = rates(genuine, impostor, threshold);
  const by_kind: Record<string, { frr: number; min: number }> = {};
  for (const kind of kinds) {
    const g = pairScores(variants.filter((v) => v.kind === kind), originals, (x, y) => x.person === y.person).genuine;
    by_kind[kind] = { frr: round(rates(g, [], threshold).frr), min: round(Math.min(...g)) };
  }
  return { images: variants.length, detected: variants.filter((v) => v.emb).length, genuine: distribution(genuine), impostor: distribution(impostor), frr: round(r.frr), far: round(r.far), by_kind };
}

/** Faces in one group photo are different people: every pair within a photo is an impostor pair. */
async function scenesStudy(engine: FaceEngine, dir: string, threshold: number): Promise<NonNullable<EvalStats['scenes']>> {
  const files = (await readdir(dir)).filter((f) => IMAGE.test(f)).sort();
  const impostor: number[] = [];
  let faces = 0;
  for (const f of files) {
    const r = await engine.analyse(await readFile(join(dir, f)), { embed: 'all' });
    const embs = r.faces.filter((x) => x.embedding && x.metrics.eyeDistance >= 20).map((x) => x.embedding!);
    faces += embs.length;
    for (let i = 0; i < embs.length; i++) for (let j = i + 1; j < embs.length; j++) impostor.push(dot(embs[i], embs[j]));
  }
  return { images: files.length, faces, impostor: distribution(impostor), far: round(rates([], impostor, threshold).far) };
}

const round = (v: number) => Math.round(v * 10000) / 10000;
