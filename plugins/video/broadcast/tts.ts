// Text to a WAV file with espeak-ng (Mandarin voice by default).
import { execFile } from 'node:child_process';
import { KefuError } from '../../../protocol/errors.js';

export function speakToWav(opts: { espeak: string; voice: string; text: string; out: string; timeoutMs?: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(opts.espeak, ['-v', opts.voice, '-s', '150', '-w', opts.out, '--', opts.text], { timeout: opts.timeoutMs ?? 20_000 }, (err, _o, stderr) => {
      if (!err) { resolve(); return; }
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      reject(new KefuError(missing ? 'TTS_UNAVAILABLE' : 'TTS_FAILED', missing ? `${opts.espeak} is not installed` : `espeak-ng failed: ${String(stderr).trim() || err.message}`));
    });
  });
}
