// pino root logger; modules take child loggers (`transport:wired`, `plugin:chat`). Secrets are redacted.
import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

export const REDACT_PATHS = ['password', '*.password', 'secret', '*.secret', 'token', '*.token', 'pin', '*.pin', 'key', '*.key', 'authorization', '*.authorization'];

export function createLogger(opts: { level?: string; name?: string; destination?: NodeJS.WritableStream | number } = {}): Logger {
  const options: LoggerOptions = {
    level: opts.level ?? process.env.KEFU_LOG_LEVEL ?? 'info',
    name: opts.name,
    redact: { paths: REDACT_PATHS, censor: '[secret]' },
    base: undefined,
  };
  const dest = opts.destination ?? 2;
  return pino(options, typeof dest === 'number' ? pino.destination({ fd: dest, sync: false }) : dest);
}

/** A logger that drops everything, for tests and quiet CLI commands. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
