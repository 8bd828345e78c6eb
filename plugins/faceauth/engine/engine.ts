// The face engine behind a small interface: a worker_threads pool (piscina) sized to the cores, or inline
// on the calling thread (workers: 0) for tests and the single-threaded benchmark peer.
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { defaultModelDir, loadSessions, releaseSessions, type ModelName, type Sessions } from './models.js';
import { analyseImage, type AnalyseOptions, type AnalyseResult } from './pipeline.js';
import type { WorkerConfig } from './worker.js';

export interface FaceEngineOptions {
  modelDir?: string;
  /** pool threads; 0 = run inline; default = the number of cores */
  workers?: number;
  /** load fr_liveness too (passive anti-spoofing score) */
  liveness?: boolean;
}

export interface FaceEngine {
  readonly workers: number;
  start(): Promise<void>;
  stop(): Promise<void>;
  analyse(bytes: Uint8Array, opts?: AnalyseOptions): Promise<AnalyseResult>;
}

export function createFaceEngine(opts: FaceEngineOptions = {}): FaceEngine {
  const workers = opts.workers ?? availableParallelism();
  const config: WorkerConfig = {
    modelDir: opts.modelDir ?? defaultModelDir(),
    models: ['detect', 'landmark', 'feature', ...(opts.liveness ? ['liveness' as ModelName] : [])],
  };
  let pool: Piscina | null = null;
  let sessions: Sessions | null = null;
  let starting: Promise<void> | null = null;

  async function start(): Promise<void> {
    starting ??= (async () => {
      if (workers > 0) {
        pool = new Piscina({
          filename: fileURLToPath(new URL('./worker-entry.mjs', import.meta.url)),
          minThreads: workers, maxThreads: workers, idleTimeout: 60_000, workerData: config,
        });
        // warm every thread so the first request does not pay for model loading
        const blank = new Uint8Array(0);
        await Promise.all(Array.from({ length: workers }, () => pool!.run({ bytes: blank, opts: { embed: 'none' } }).catch(() => undefined)));
      } else {
        sessions = await loadSessions(config.modelDir, config.models, 1);
      }
    })();
    await starting;
  }

  return {
    workers,
    start,
    async stop() {
      const p = pool, s = sessions;
      pool = null; sessions = null; starting = null;
      if (p) await p.destroy();
      if (s) await releaseSessions(s);
    },
    async analyse(bytes, aopts = {}) {
      await start();
      if (pool) return pool.run({ bytes, opts: aopts }) as Promise<AnalyseResult>;
      return analyseImage(sessions!, bytes, aopts);
    },
  };
}
