// A doctor check says what it looked at, whether it passed, and what to do when it did not.
export interface CheckResult { name: string; ok: boolean; detail: string; fix?: string; ms?: number }
export type { DoctorCheck as Check } from '../../transports/transport.js';
import type { DoctorCheck as Check } from '../../transports/transport.js';

/**
 * Runs checks concurrently, each within the overall deadline, so `kefu doctor` ends in a bounded time. Each check
 * gets its own signal, aborted by one timer: a dozen checks listening on one shared signal trip Node's
 * MaxListenersExceededWarning ("Possible EventTarget memory leak") in the middle of the report.
 */
export async function runChecks(checks: Check[], deadlineMs = 8000): Promise<CheckResult[]> {
  const controllers = checks.map(() => new AbortController());
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(() => { for (const c of controllers) c.abort(new Error('deadline')); resolve(); }, deadlineMs);
  });
  const timedOut: Omit<CheckResult, 'name'> = { ok: false, detail: `no answer within ${deadlineMs} ms`, fix: 'see the detail of the checks before this one; the link or service may be hanging' };
  try {
    return await Promise.all(checks.map(async (c, i) => {
      const began = Date.now();
      const run = Promise.resolve().then(() => c.run(controllers[i].signal))
        .catch((err: Error) => ({ ok: false, detail: err.message, fix: 'unexpected error: run with KEFU_LOG_LEVEL=debug and report it' }));
      const result = await Promise.race([run, deadline.then(() => timedOut)]);
      return { name: c.name, ...result, ms: Date.now() - began };
    }));
  } finally {
    clearTimeout(timer);
  }
}
