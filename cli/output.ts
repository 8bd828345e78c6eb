// Human output by default, `--json` for scripts, a one-line reason and non-zero exit on error.
import { KefuError } from '../protocol/errors.js';

export interface OutputOptions { json?: boolean }

export function print(opts: OutputOptions, value: unknown, human: () => string): void {
  process.stdout.write(opts.json ? `${JSON.stringify(value)}\n` : `${human()}\n`);
}

/**
 * `partial`: what the command could still tell despite the error, beside it in the --json object. With --json the
 * JSON object on stdout is the whole answer: a script reading both streams must not get the error twice.
 */
export function fail(err: unknown, opts: OutputOptions = {}, partial: Record<string, unknown> = {}): never {
  const code = err instanceof KefuError ? err.code : 'ERROR';
  const message = err instanceof Error ? err.message : String(err);
  if (opts.json) process.stdout.write(`${JSON.stringify({ ok: false, ...partial, error: { code, message } })}\n`);
  else process.stderr.write(`kefu: ${message} [${code}]\n`);
  process.exit(1);
}

/** Wraps a command action so every error ends in `fail`. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void> | void) {
  return async (...args: A): Promise<void> => {
    const cmd = args[args.length - 1] as { optsWithGlobals?: () => OutputOptions } | undefined;
    try {
      await fn(...args);
    } catch (err) {
      fail(err, cmd?.optsWithGlobals?.() ?? {});
    }
  };
}

/** Renders rows as an aligned text table. */
export function table(rows: Array<Record<string, unknown>>, columns?: string[]): string {
  if (rows.length === 0) return '(none)';
  const cols = columns ?? Object.keys(rows[0]);
  const cell = (v: unknown) => (v === null || v === undefined ? '-' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const width = (s: string) => [...s].reduce((w, ch) => w + (ch.charCodeAt(0) > 0x2e80 ? 2 : 1), 0);
  const widths = cols.map((c) => Math.max(width(c), ...rows.map((r) => width(cell(r[c])))));
  const line = (vals: string[]) => vals.map((v, i) => v + ' '.repeat(widths[i] - width(v))).join('  ').trimEnd();
  return [line(cols.map((c) => c.toUpperCase())), ...rows.map((r) => line(cols.map((c) => cell(r[c]))))].join('\n');
}
