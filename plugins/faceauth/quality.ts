// Enrollment frame quality: each failed check is a code with guidance for the customer (Chinese first).
import type { AnalyseResult, FaceResult } from './engine/pipeline.js';

export interface QualityIssue { code: QualityCode; zh: string; en: string }

export const GUIDANCE = {
  NO_FACE: { zh: '未检测到人脸，请正对摄像头', en: 'No face found: please look at the camera' },
  MULTIPLE_FACES: { zh: '画面中只能有一个人', en: 'Only one person in front of the camera, please' },
  FACE_TOO_SMALL: { zh: '请靠近摄像头一点', en: 'Please move closer to the camera' },
  FACE_CUT: { zh: '请将脸部移到画面中央', en: 'Please move your face to the centre of the picture' },
  NOT_FRONTAL: { zh: '请正对摄像头，不要侧脸', en: 'Please look straight at the camera' },
  HEAD_TILTED: { zh: '请保持头部端正', en: 'Please keep your head upright' },
  BLURRY: { zh: '画面模糊，请保持不动', en: 'The picture is blurred: please hold still' },
  TOO_DARK: { zh: '光线太暗，请到明亮的地方', en: 'Too dark: please move to better light' },
  TOO_BRIGHT: { zh: '光线太强，请避开强光', en: 'Too bright: please avoid strong light' },
} as const;
export type QualityCode = keyof typeof GUIDANCE;

/**
 * Limits, measured on the dev images and their synthetic variants: sharp originals have a Laplacian
 * variance ≥ 210 and a 2-px blur ≤ 145; original faces have a mean luma ≥ 75 and a 0.35× darkened copy ≤ 62.
 * Pose in fr_pose degrees (the landmark estimate is calibrated to it).
 */
export const QUALITY_LIMITS = {
  minEyeDistance: 40, maxYaw: 20, maxPitch: 25, maxRoll: 20,
  minSharpness: 150, minBrightness: 70, maxBrightness: 215, maxOverexposed: 0.1,
  /** another face at least this share of the main face's height counts as a second person */
  secondFaceRatio: 0.5,
};

const issue = (code: QualityCode): QualityIssue => ({ code, ...GUIDANCE[code] });

export interface QualityVerdict { ok: boolean; issues: QualityIssue[]; face?: FaceResult }

export function checkQuality(r: AnalyseResult, limits = QUALITY_LIMITS): QualityVerdict {
  const face = r.faces[0];
  if (!face) return { ok: false, issues: [issue('NO_FACE')] };
  const issues: QualityIssue[] = [];
  const h = (f: FaceResult) => f.box.y2 - f.box.y1;
  if (r.faces.slice(1).some((f) => h(f) >= limits.secondFaceRatio * h(face))) issues.push(issue('MULTIPLE_FACES'));
  const m = face.metrics;
  if (m.inFrame < 1) issues.push(issue('FACE_CUT'));
  if (m.eyeDistance < limits.minEyeDistance) issues.push(issue('FACE_TOO_SMALL'));
  if (Math.abs(face.pose.yaw) > limits.maxYaw) issues.push(issue('NOT_FRONTAL'));
  else if (Math.abs(face.pose.roll) > limits.maxRoll || Math.abs(face.pose.pitch) > limits.maxPitch) issues.push(issue('HEAD_TILTED'));
  if (m.brightness < limits.minBrightness) issues.push(issue('TOO_DARK'));
  else if (m.brightness > limits.maxBrightness || m.overexposed > limits.maxOverexposed) issues.push(issue('TOO_BRIGHT'));
  // a dark face also loses Laplacian energy: only call it blurred when the light is fine
  else if (m.sharpness < limits.minSharpness) issues.push(issue('BLURRY'));
  return { ok: issues.length === 0, issues, face };
}
