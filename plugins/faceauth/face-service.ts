// Enrollment, 1:1 verification, 1:N identification and deletion over the engine, the sealed template store
// and the in-memory gallery. Used by the plugin (HTTP, commands) and by `kefu face` on a data folder.
import type { Logger } from 'pino';
import { KefuError } from '../../protocol/errors.js';
import type { FaceEngine } from './engine/engine.js';
import type { AnalyseOptions, AnalyseResult } from './engine/pipeline.js';
import { dot, meanTemplate } from './engine/vector.js';
import { createGallery, type Match } from './store/gallery.js';
import type { TemplateStore } from './store/template-store.js';
import { checkQuality, type QualityIssue, type QualityVerdict } from './quality.js';

export interface FaceServiceDeps {
  engine: FaceEngine;
  templates: TemplateStore;
  threshold: number;
  minFrames: number;
  keepImages: boolean;
  log: Logger;
}

export interface EnrollResult { account: string; frames: number; rejected: Array<{ index: number; issues: QualityIssue[] }>; replaced: boolean }
export interface VerifyResult { account: string; match: boolean; score: number; threshold: number; quality: QualityVerdict }

export interface FaceService {
  readonly threshold: number;
  start(): Promise<void>;
  stop(): Promise<void>;
  analyse(bytes: Uint8Array, opts?: AnalyseOptions): Promise<AnalyseResult>;
  checkFrame(bytes: Uint8Array): Promise<QualityVerdict>;
  enroll(account: string, frames: Uint8Array[], opts?: { minFrames?: number; skipQuality?: boolean }): Promise<EnrollResult>;
  verify(account: string, bytes: Uint8Array): Promise<VerifyResult>;
  /** score of an already-computed embedding against the account's template (null = not enrolled) */
  scoreAgainst(account: string, embedding: Float32Array): Promise<number | null>;
  identify(embedding: Float32Array, k?: number): Promise<Match[]>;
  isEnrolled(account: string): Promise<boolean>;
  delete(account: string): Promise<boolean>;
  accounts(): Promise<string[]>;
}

export const MODEL_ID = 'faceplugin fr_feature 512-d, 5-point ArcFace alignment, flip-sum';

export function createFaceService(deps: FaceServiceDeps): FaceService {
  const gallery = createGallery();
  let loading: Promise<void> | null = null;

  /** Decrypts every template into the 1:N gallery once (100,000 take several seconds). */
  function load(): Promise<void> {
    loading ??= (async () => {
      const t0 = Date.now();
      gallery.clear();
      for await (const rec of deps.templates.all()) gallery.upsert(rec.account, rec.template);
      deps.log.info({ templates: gallery.size, ms: Date.now() - t0 }, 'face gallery loaded');
    })();
    return loading;
  }

  async function scoreAgainst(account: string, embedding: Float32Array): Promise<number | null> {
    const rec = await deps.templates.get(account);
    return rec ? dot(rec.template, embedding) : null;
  }

  /** 1:N: the gallery's int8 scan proposes, the sealed float templates decide (exact at the threshold). */
  async function search(embedding: Float32Array, k: number): Promise<Match[]> {
    await load();
    const out: Match[] = [];
    for (const c of gallery.search(embedding, k + 2)) {
      const score = await scoreAgainst(c.id, embedding);
      if (score !== null && score >= deps.threshold) out.push({ id: c.id, score });
    }
    return out.sort((a, b) => b.score - a.score).slice(0, k);
  }

  return {
    threshold: deps.threshold,
    async start() {
      await deps.engine.start();
      // 1:1 reads the store directly; only 1:N and the duplicate check wait for the gallery
      load().catch((err) => deps.log.error({ err }, 'face gallery load failed'));
    },
    async stop() { await loading?.catch(() => {}); await deps.engine.stop(); gallery.clear(); loading = null; },
    analyse: (bytes, opts = { embed: 'largest' }) => deps.engine.analyse(bytes, opts),
    async checkFrame(bytes) { return checkQuality(await deps.engine.analyse(bytes, { embed: 'none' })); },

    async enroll(account, frames, opts = {}) {
      await load();
      const minFrames = opts.minFrames ?? deps.minFrames;
      const results = await Promise.all(frames.map((f) => deps.engine.analyse(f, { embed: 'largest' })));
      const rejected: EnrollResult['rejected'] = [];
      const good: Float32Array[] = [];
      results.forEach((r, index) => {
        const v = checkQuality(r);
        const usable = opts.skipQuality ? r.faces.length > 0 : v.ok;
        if (usable && r.faces[0]?.embedding) good.push(r.faces[0].embedding);
        else rejected.push({ index, issues: v.issues });
      });
      if (good.length < minFrames) {
        const why = rejected.map((x) => `#${x.index + 1}: ${x.issues.map((i) => i.code).join('+')}`).join(', ');
        throw new KefuError('FACE_ENROLL_QUALITY', `only ${good.length} of ${frames.length} frames are usable, ${minFrames} needed (${why})`, { rejected });
      }
      const template = meanTemplate(good);
      // every frame must be the person of the template: a swapped face mid-enrollment is refused
      const worst = Math.min(...good.map((g) => dot(g, template)));
      if (worst < deps.threshold) throw new KefuError('FACE_ENROLL_INCONSISTENT', `the frames do not show one person (min score ${worst.toFixed(3)})`);
      const other = (await search(template, 2)).find((m) => m.id !== account);
      if (other) throw new KefuError('FACE_ALREADY_ENROLLED', 'this face is already enrolled under another account', { score: Number(other.score.toFixed(3)) });
      const replaced = (await deps.templates.get(account)) !== null;
      await deps.templates.put(account, template, { frames: good.length, model: MODEL_ID });
      if (deps.keepImages) await deps.templates.putImages(account, frames);
      gallery.upsert(account, template);
      return { account, frames: good.length, rejected, replaced };
    },

    async verify(account, bytes) {
      const r = await deps.engine.analyse(bytes, { embed: 'largest' });
      const quality = checkQuality(r);
      const emb = r.faces[0]?.embedding;
      if (!emb) throw new KefuError('FACE_NOT_FOUND', 'no face in the image');
      const score = await scoreAgainst(account, emb);
      if (score === null) throw new KefuError('FACE_NOT_ENROLLED', `account ${account} has no face template`);
      return { account, match: score >= deps.threshold, score, threshold: deps.threshold, quality };
    },

    scoreAgainst,

    identify: (embedding, k = 3) => search(embedding, k),

    async isEnrolled(account) { return (await deps.templates.get(account)) !== null; },

    async delete(account) {
      await load();
      gallery.remove(account);
      return deps.templates.delete(account);
    },

    accounts: () => deps.templates.accounts(),
  };
}
