// Loads the ONNX sessions (onnxruntime-node) from a model folder; one intra-op thread per session, because
// parallelism comes from the worker pool, not from threads inside one inference.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { KefuError } from '../../../protocol/errors.js';

export const MODEL_FILES = {
  detect: 'fr_detect.onnx', landmark: 'fr_landmark.onnx', feature: 'fr_feature.onnx',
  liveness: 'fr_liveness.onnx', pose: 'fr_pose.onnx', eye: 'fr_eye.onnx',
} as const;
export type ModelName = keyof typeof MODEL_FILES;

/** The model folder of the installed `faceplugin-face-recognition-js` package, found at run time. */
export function defaultModelDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('faceplugin-face-recognition-js/package.json')), 'model');
}

export interface Session {
  run(feeds: Record<string, { data: Float32Array; dims: number[] }>): Promise<Record<string, Float32Array>>;
  release(): Promise<void>;
}

export type Sessions = Partial<Record<ModelName, Session>>;

export async function loadSessions(modelDir: string, names: ModelName[], threads = 1): Promise<Sessions> {
  const out: Sessions = {};
  for (const name of names) {
    const file = join(modelDir, MODEL_FILES[name]);
    if (!existsSync(file)) throw new KefuError('FACE_MODEL_MISSING', `face model not found: ${file}`);
    const s = await ort.InferenceSession.create(file, {
      intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all',
    });
    out[name] = {
      async run(feeds) {
        const tensors: Record<string, ort.Tensor> = {};
        for (const [k, v] of Object.entries(feeds)) tensors[k] = new ort.Tensor('float32', v.data, v.dims);
        const res = await s.run(tensors);
        const plain: Record<string, Float32Array> = {};
        for (const [k, v] of Object.entries(res)) plain[k] = v.data as Float32Array;
        return plain;
      },
      release: () => s.release(),
    };
  }
  return out;
}

export async function releaseSessions(sessions: Sessions): Promise<void> {
  for (const s of Object.values(sessions)) await s?.release();
}

export function need(sessions: Sessions, name: ModelName): Session {
  const s = sessions[name];
  if (!s) throw new KefuError('FACE_MODEL_MISSING', `face model ${name} not loaded`);
  return s;
}
