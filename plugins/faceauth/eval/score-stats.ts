// Score distributions and the threshold rule: pure functions over lists of cosine scores.

export interface Distribution { n: number; min: number; p1: number; p2: number; p5: number; p50: number; p95: number; p99: number; p999: number; max: number; mean: number; std: number }

export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q, lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function distribution(scores: number[]): Distribution {
  const s = [...scores].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / Math.max(1, s.length);
  const std = Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, s.length - 1));
  const r = (v: number) => Math.round(v * 10000) / 10000;
  return {
    n: s.length, min: r(s[0]), p1: r(quantile(s, 0.01)), p2: r(quantile(s, 0.02)), p5: r(quantile(s, 0.05)), p50: r(quantile(s, 0.5)),
    p95: r(quantile(s, 0.95)), p99: r(quantile(s, 0.99)), p999: r(quantile(s, 0.999)), max: r(s[s.length - 1]), mean: r(mean), std: r(std),
  };
}

/** Share of genuine scores below the threshold (false rejects) and impostor scores at or above it. */
export function rates(genuine: number[], impostor: number[], threshold: number): { frr: number; far: number } {
  const frr = genuine.length ? genuine.filter((s) => s < threshold).length / genuine.length : 0;
  const far = impostor.length ? impostor.filter((s) => s >= threshold).length / impostor.length : 0;
  return { frr, far };
}

/**
 * The impostor tail rule: a normal fit to the impostor scores puts the threshold where the fitted
 * false-accept probability is `targetFar` (z = 3.719 for 1e-4, ten times below the 0.1 % goal). Cosine
 * scores of unrelated faces in a 512-d embedding are close to normal around 0; the empirical maximum of a
 * few thousand pairs cannot see a 1e-4 tail, the fit can.
 */
export function impostorTailThreshold(impostor: number[], targetFar = 1e-4): number {
  const d = distribution(impostor);
  return d.mean + normalQuantile(1 - targetFar) * d.std;
}

/** Inverse standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const pl = 0.02425;
  if (p < pl) { const q = Math.sqrt(-2 * Math.log(p)); return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1); }
  if (p > 1 - pl) return -normalQuantile(1 - p);
  const q = p - 0.5, r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}
