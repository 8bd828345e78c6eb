// Cleanup that cannot hang a test file: a close() that does not settle in time is reported and left behind
// (the file's force-exit reaps it) instead of holding the runner until its 300 s file timeout.
import type { TestContext } from 'node:test';

export function closeAfter(t: Pick<TestContext, 'after' | 'diagnostic'>, what: string, close: () => unknown, ms = 15_000): void {
  t.after(async () => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((r) => { timer = setTimeout(() => r('late'), ms); });
    const done = Promise.resolve().then(close).then(() => 'ok' as const, (err: Error) => `failed: ${err.message}`);
    const outcome = await Promise.race([done, late]);
    clearTimeout(timer);
    if (outcome !== 'ok') t.diagnostic(`cleanup of ${what} ${outcome === 'late' ? `did not finish in ${ms} ms` : outcome}`);
  });
}
