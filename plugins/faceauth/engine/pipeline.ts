// One image in, every face out: detection → landmarks → pose/quality metrics → aligned embedding.
// Pure computation over loaded sessions; the worker pool runs it off the main thread.
import { decodeImage, luma, type RgbImage } from './image.js';
import { detectFaces, type Box } from './detect.js';
import { predictLandmarks } from './landmark.js';
import { alignFace } from './align.js';
import { embedAligned } from './embed.js';
import { poseFromLandmarks, type Pose } from './pose.js';
import { need, type Sessions } from './models.js';
import { livenessScore } from './liveness-model.js';

export interface FaceMetrics {
  /** distance between the eye centres in source pixels */
  eyeDistance: number;
  /** variance of the Laplacian of the aligned 112×112 grey face (scale-independent sharpness) */
  sharpness: number;
  /** mean luma of the aligned face's inner region, 0–255 */
  brightness: number;
  /** share of inner-face pixels at or above 250 (blown highlights) */
  overexposed: number;
  /** share of the inner landmarks (brows, eyes, nose, mouth) inside the frame: below 1 = the face is cut */
  inFrame: number;
}

export interface FaceResult {
  box: Box;
  landmarks: number[];
  pose: Pose;
  metrics: FaceMetrics;
  embedding?: Float32Array;
  /** fr_liveness "real" probability, when asked for */
  liveness?: number;
}

export interface AnalyseOptions {
  /** which faces get an embedding */
  embed?: 'largest' | 'all' | 'none';
  flip?: boolean;
  liveness?: boolean;
  minScore?: number;
}

export interface AnalyseResult { width: number; height: number; faces: FaceResult[] }

const area = (b: Box) => (b.x2 - b.x1) * (b.y2 - b.y1);

export async function analyseImage(sessions: Sessions, bytes: Uint8Array, opts: AnalyseOptions = {}): Promise<AnalyseResult> {
  return analyseRgb(sessions, await decodeImage(bytes), opts);
}

export async function analyseRgb(sessions: Sessions, img: RgbImage, opts: AnalyseOptions = {}): Promise<AnalyseResult> {
  const embed = opts.embed ?? 'largest';
  let boxes = await detectFaces(need(sessions, 'detect'), img, { minScore: opts.minScore ?? 0.8 });
  // a face that fills a tight crop can exceed the detector's largest anchor: look again with a border
  if (boxes.length === 0) boxes = await detectFaces(need(sessions, 'detect'), img, { minScore: opts.minScore ?? 0.8, margin: 0.5 });
  // still nothing: a hard face (dark, turned, partly covered) may score lower; keep only the best candidate
  if (boxes.length === 0 && opts.minScore === undefined) boxes = (await detectFaces(need(sessions, 'detect'), img, { minScore: 0.5, margin: 0.25 })).slice(0, 1);
  boxes.sort((a, b) => area(b) - area(a));
  const faces: FaceResult[] = [];
  for (let i = 0; i < boxes.length; i++) {
    const box = boxes[i];
    const lm = await predictLandmarks(need(sessions, 'landmark'), img, box);
    const { crop } = alignFace(img, lm);
    const face: FaceResult = { box, landmarks: Array.from(lm), pose: poseFromLandmarks(lm), metrics: metrics(img, lm, crop) };
    if (embed === 'all' || (embed === 'largest' && i === 0)) face.embedding = await embedAligned(need(sessions, 'feature'), crop, opts.flip ?? true);
    if (opts.liveness && i === 0 && sessions.liveness) face.liveness = await livenessScore(sessions.liveness, img, box);
    faces.push(face);
  }
  return { width: img.width, height: img.height, faces };
}

function metrics(img: RgbImage, lm: Float32Array, crop: RgbImage): FaceMetrics {
  const eye = (a: number, b: number) => { let x = 0, y = 0; for (let i = a; i <= b; i++) { x += lm[2 * i]; y += lm[2 * i + 1]; } return [x / 6, y / 6]; };
  const l = eye(36, 41), r = eye(42, 47);
  // inner face of the aligned crop (eyes to chin, cheek to cheek): hair and background excluded
  const x0 = 24, x1 = 88, y0 = 36, y1 = 104, S = 112;
  let sum = 0, n = 0, bright = 0, lap = 0, lap2 = 0, m = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const v = luma(crop, y * S + x);
      sum += v; n++; if (v >= 250) bright++;
      const L = luma(crop, (y - 1) * S + x) + luma(crop, (y + 1) * S + x) + luma(crop, y * S + x - 1) + luma(crop, y * S + x + 1) - 4 * v;
      lap += L; lap2 += L * L; m++;
    }
  }
  const lapMean = lap / m;
  let inside = 0;
  // the jaw line of a tight crop may leave the frame without hurting alignment, the inner points may not
  for (let i = 17; i < 68; i++) if (lm[2 * i] >= 0 && lm[2 * i] < img.width && lm[2 * i + 1] >= 0 && lm[2 * i + 1] < img.height) inside++;
  return {
    eyeDistance: Math.hypot(r[0] - l[0], r[1] - l[1]),
    sharpness: lap2 / m - lapMean * lapMean,
    brightness: sum / n,
    overexposed: bright / n,
    inFrame: inside / 51,
  };
}
