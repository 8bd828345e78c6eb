// The faceauth plugin's configuration (composed into the root schema under plugins.faceauth).
import { z } from 'zod';
import { fileRef } from '../../daemon/config/file-ref.js';

/**
 * Default cosine threshold, from measured score distributions (`kefu face eval --stats --augment --scenes`):
 * the larger of two impostor-tail estimates, each a normal fit to impostor scores —
 *   dev set, 700 pairs of different people (mean 0.012, sd 0.090) at a 1e-4 false-accept rate: 0.346;
 *   faces of one group photo, 44 pairs sharing camera and light (mean 0.060, sd 0.100) at 1e-3: 0.370;
 * plus 0.01 because 44 pairs pin a tail down loosely. At 0.38 no dev genuine pair is rejected (lowest
 * 0.400) and 1.3 % of 1,400 pairs with synthetic capture defects (light, blur, rotation, scale, JPEG) are.
 */
export const DEFAULT_THRESHOLD = 0.38;

export const faceauthConfigSchema = z.object({
  /** cosine threshold, or 'default' for the measured default */
  threshold: z.union([z.literal('default'), z.number().min(-1).max(1)]).default('default'),
  /** model folder; default: the installed faceplugin-face-recognition-js package's model/ */
  modelDir: fileRef(z.string(), 'dir').optional(),
  /** pool threads; default = cores */
  workers: z.number().int().min(0).max(64).optional(),
  /**
   * also embed the mirrored face (flip-sum): measured on the dev set, its augmentations and group photos it
   * changed no decision (augmented FRR 1.5 % with, 1.3 % without) and doubles the embedding time; off
   */
  flip: z.boolean().default(false),
  /** file holding the template encryption key (32 bytes: raw, hex or base64); default <dataDir>/faceauth/template.key */
  keyFile: fileRef(z.string(), 'secret').optional(),
  /** identity file for the local demo identity provider; default <dataDir>/faceauth/identities.json */
  identityFile: fileRef(z.string()).optional(),
  enroll: z.object({
    minFrames: z.number().int().min(1).max(20).default(3),
    /** keep the enrollment images (encrypted like templates); off by default */
    keepImages: z.boolean().default(false),
  }).default({ minFrames: 3, keepImages: false }),
  lockout: z.object({
    maxFailures: z.number().int().min(1).default(5),
    windowMs: z.number().int().min(1000).default(15 * 60_000),
    lockMs: z.number().int().min(1000).default(15 * 60_000),
    /** per terminal: more tolerant, a hall terminal serves many people */
    terminalMaxFailures: z.number().int().min(1).default(20),
  }).default({ maxFailures: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000, terminalMaxFailures: 20 }),
  liveness: z.object({
    required: z.boolean().default(true),
    /** the active challenges a login may draw (at random) */
    challenges: z.array(z.enum(['turn-left', 'turn-right', 'blink'])).min(1).default(['turn-left', 'turn-right']),
    /** fr_liveness passive "real" probability a login needs (averaged over its frames); off when unset */
    passiveMin: z.number().min(0).max(1).optional(),
  }).default({ required: true, challenges: ['turn-left', 'turn-right'] }),
  /** templates may be exported off the box (e.g. to the master) only if true */
  allowTemplateExport: z.boolean().default(false),
  otp: z.object({
    ttlMs: z.number().int().min(10_000).default(5 * 60_000),
    /** demo only: return the code in the API answer instead of relying on the operator's SMS channel */
    demoEcho: z.boolean().default(false),
  }).default({ ttlMs: 5 * 60_000, demoEcho: false }),
});

export type FaceauthConfig = z.infer<typeof faceauthConfigSchema>;

export function resolveThreshold(t: FaceauthConfig['threshold'] | undefined): number {
  return t === undefined || t === 'default' ? DEFAULT_THRESHOLD : t;
}
