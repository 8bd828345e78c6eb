// Graceful shutdown: the first SIGINT/SIGTERM stops cleanly (time-boxed), a second one exits at once.
import type { Logger } from 'pino';

export function untilSignal(log: Logger, shutdown: () => Promise<void>, timeoutMs = 15_000): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) { log.warn({ signal }, 'second signal: exiting now'); process.exit(130); }
      stopping = true;
      log.info({ signal }, 'stopping');
      const timer = setTimeout(() => { log.error('shutdown took too long: exiting'); process.exit(1); }, timeoutMs);
      timer.unref();
      shutdown()
        .catch((err: Error) => { log.error({ err: err.message }, 'shutdown failed'); process.exitCode = 1; })
        .finally(() => { clearTimeout(timer); process.off('SIGINT', onSignal); process.off('SIGTERM', onSignal); resolve(); });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
