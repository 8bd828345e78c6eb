// The worker side of the engine pool: loads the ONNX sessions once per thread, then analyses images.
import { workerData } from 'node:worker_threads';
import { loadSessions, type ModelName, type Sessions } from './models.js';
import { analyseImage, type AnalyseOptions, type AnalyseResult } from './pipeline.js';

export interface WorkerConfig { modelDir: string; models: ModelName[] }
export interface AnalyseTask { bytes: Uint8Array; opts: AnalyseOptions }

/** Lazily loads the sessions on the first task so that a pool can start without blocking. */
export function createWorkerHandler(config: WorkerConfig): (task: AnalyseTask) => Promise<AnalyseResult> {
  let sessions: Promise<Sessions> | null = null;
  return async (task) => {
    sessions ??= loadSessions(config.modelDir, config.models, 1);
    return analyseImage(await sessions, task.bytes, task.opts);
  };
}

export default createWorkerHandler(workerData as WorkerConfig);
