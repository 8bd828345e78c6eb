// The faceauth data of a box opened without the daemon (for `kefu face …` on a data folder). LevelDB
// allows one process: while the daemon runs, use its commands (faceauth.delete) instead.
import { join } from 'node:path';
import { silentLogger } from '../../daemon/logger.js';
import { createRootStore, sublevel } from '../../daemon/store.js';
import { KefuError } from '../../protocol/errors.js';
import { resolveThreshold, type FaceauthConfig } from './config.js';
import { createFaceEngine } from './engine/engine.js';
import { createFaceService, type FaceService } from './face-service.js';
import { createCredentialStore, type CredentialStore } from './auth/passwords.js';
import { readKeyFile, readOrCreateKeyFile } from './store/crypto.js';
import { createTemplateStore } from './store/template-store.js';

export interface OfflineFaceauth { face: FaceService; credentials: CredentialStore; close(): Promise<void> }

export async function openOffline(dataDir: string, cfg: FaceauthConfig, workers = 0): Promise<OfflineFaceauth> {
  const root = createRootStore(join(dataDir, 'store'));
  try { await root.open(); } catch (err) {
    throw new KefuError('FACE_STORE_BUSY', `cannot open ${join(dataDir, 'store')} (${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}); if the daemon is running, use its faceauth commands`);
  }
  try {
    const store = sublevel(root, 'plugin:faceauth');
    const key = cfg.keyFile ? await readKeyFile(cfg.keyFile) : await readOrCreateKeyFile(join(dataDir, 'faceauth', 'template.key'));
    const face = createFaceService({
      engine: createFaceEngine({ modelDir: cfg.modelDir, workers }), templates: createTemplateStore(store, key),
      threshold: resolveThreshold(cfg.threshold), minFrames: cfg.enroll.minFrames, keepImages: cfg.enroll.keepImages, log: silentLogger(),
    });
    await face.start();
    return { face, credentials: createCredentialStore(store), async close() { await face.stop(); await root.close(); } };
  } catch (err) {
    await root.close();
    throw err;
  }
}
