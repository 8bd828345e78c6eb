// Regression tests for `kefu doctor`'s report: a dozen checks must not trip Node's MaxListenersExceededWarning
// (they shared one AbortSignal), a hint shared by several failed checks is printed once, and the secret-file
// error names its config key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChecks } from '../../daemon/doctor/check.js';
import { readSecret } from '../../daemon/secrets.js';
import { renderChecks } from '../../cli/commands/doctor.js';

test('twenty checks that listen to their signal run without a listener-leak warning and are all cut at the deadline', async () => {
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  process.on('warning', onWarning);
  try {
    const checks = Array.from({ length: 20 }, (_, i) => ({
      name: `c${i}`,
      run: (signal: AbortSignal) => new Promise<{ ok: boolean; detail: string }>((resolve) => {
        signal.addEventListener('abort', () => resolve({ ok: false, detail: 'aborted' }), { once: true });
      }),
    }));
    const results = await runChecks(checks, 200);
    await new Promise((r) => setImmediate(r));
    assert.equal(results.length, 20);
    assert.ok(results.every((r) => !r.ok && /no answer within 200 ms|aborted/.test(r.detail)), JSON.stringify(results));
    assert.deepEqual(warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message), []);
  } finally {
    process.off('warning', onWarning);
  }
});

test('a fix shared by several failed checks is printed once', () => {
  const fix = 'Check the USB cable and power;\nlist ports';
  const text = renderChecks([
    { name: 'modem port', ok: false, detail: 'no modem', fix },
    { name: 'SIM', ok: false, detail: 'not checked', fix },
    { name: 'signal', ok: false, detail: 'not checked', fix },
    { name: 'clock', ok: true, detail: 'ok' },
    { name: 'broker', ok: false, detail: 'refused', fix: 'check the url' },
  ]);
  assert.equal(text.split('Check the USB cable').length - 1, 1, text);
  assert.match(text, /check the url/);
  assert.match(text, /✘ SIM/);
});

test('the secret-file error names its config key', async () => {
  await assert.rejects(readSecret('/nope/secret', 'master.passwordFile'), (err: Error) => {
    assert.equal(err.message, 'master.passwordFile: secret file /nope/secret: cannot read (ENOENT)');
    return true;
  });
});
