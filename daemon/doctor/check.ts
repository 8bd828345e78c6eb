// A doctor check says what it looked at, whether it passed, and what to do when it did not.
export interface CheckResult { name: string; ok: boolean; detail: string; fix?: string; ms?: number }
export type { DoctorCheck as Check } from '../../transports/transport.js';
import type { DoctorCheck as Check } from '../../transports/transport.js';

/** Runs checks concurrently, each within the overall deadline, so `kefu doctor` ends in a bounded time. */
export async function runChecks(checks: Check[], deadlineMs = 8000): Promise<CheckResult[]> {
  const signal = AbortSignal.timeout(deadlineMs);
  return Promise.all(checks.map(async (c) => {
    const began = Date.now();
    const timedOut = new Promise<Omit<CheckResult, 'name'>>((resolve) => signal.addEventListener('abort', () =>
      resolve({ ok: false, detail: `no answer within ${deadlineMs} ms`, fix: 'see the detail of the checks before this one; the link or service may be hanging' }), { once: true }));
    const result = await Promise.race([c.run(signal).catch((err: Error) => ({ ok: false, detail: err.message, fix: 'unexpected error: run with KEFU_LOG_LEVEL=debug and report it' })), timedOut]);
    return { name: c.name, ...result, ms: Date.now() - began };
  }));
}
