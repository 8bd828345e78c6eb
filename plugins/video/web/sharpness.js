// Laplacian variance of the rendered frame: draw the <video> into a 64×36 canvas, take luma, apply the
// 4-neighbour Laplacian and return its variance (edge energy; low = blurred). See qos/metrics.ts.
const W = 64; const H = 36;
let canvas = null;

export function laplacianVariance(video) {
  if (!video || video.readyState < 2 || !video.videoWidth) return null;
  canvas ??= Object.assign(document.createElement('canvas'), { width: W, height: H });
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(video, 0, 0, W, H);
  const px = ctx.getImageData(0, 0, W, H).data;
  const y = new Float32Array(W * H);
  for (let i = 0; i < W * H; i++) y[i] = 0.299 * px[i * 4] + 0.587 * px[i * 4 + 1] + 0.114 * px[i * 4 + 2];
  let sum = 0; let sq = 0; let n = 0;
  for (let r = 1; r < H - 1; r++) {
    for (let c = 1; c < W - 1; c++) {
      const i = r * W + c;
      const l = y[i - 1] + y[i + 1] + y[i - W] + y[i + W] - 4 * y[i];
      sum += l; sq += l * l; n++;
    }
  }
  const mean = sum / n;
  return Math.round((sq / n - mean * mean) * 10) / 10;
}
