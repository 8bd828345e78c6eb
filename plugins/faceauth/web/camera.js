// Camera helpers shared by the face pages: start the preview, grab a frame as JPEG, post JSON.
export async function startCamera(video) {
  if (!navigator.mediaDevices?.getUserMedia) throw Object.assign(new Error('camera unavailable'), { code: 'NO_CAMERA' });
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 }, facingMode: 'user' }, audio: false });
  video.srcObject = stream;
  await video.play();
  if (!video.videoWidth) await new Promise((r) => video.addEventListener('loadedmetadata', r, { once: true }));
  return () => stream.getTracks().forEach((t) => t.stop());
}

/** One unmirrored frame as a JPEG data URL (the preview is mirrored only on screen). */
export function grabFrame(video, quality = 0.85) {
  const c = document.createElement('canvas');
  c.width = video.videoWidth; c.height = video.videoHeight;
  c.getContext('2d').drawImage(video, 0, 0);
  return c.toDataURL('image/jpeg', quality);
}

export async function postJson(url, body) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw Object.assign(new Error(data?.error?.message ?? res.statusText), { code: data?.error?.code ?? `HTTP_${res.status}`, details: data?.error?.details });
  return data;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
