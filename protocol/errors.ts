// Errors carry a stable code: it travels in command results, CLI output and logs.
export class KefuError extends Error {
  constructor(readonly code: string, message: string, readonly details?: Record<string, unknown>) {
    super(message);
    this.name = new.target.name;
  }
  toJSON() { return { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) }; }
}

export class ConfigError extends KefuError {
  constructor(readonly issues: string[], message = `invalid configuration:\n  ${issues.join('\n  ')}`) {
    super('CONFIG_INVALID', message, { issues });
  }
}

export class TransportError extends KefuError {}

export class PluginError extends KefuError {
  constructor(code: string, readonly plugin: string, message: string) { super(code, message, { plugin }); }
}

export class CommandError extends KefuError {}

export class ProtocolError extends KefuError {}

/** How every unreadable file a setting names is reported: `http.tls.cert: cannot read /etc/kefu/tls/box.crt (ENOENT)`. */
export const cannotRead = (key: string, path: string, err: unknown): string =>
  `${key}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;

/** Turns anything thrown into `{code, message}` for a result or a log line. */
export function toErrorBody(err: unknown): { code: string; message: string } {
  if (err instanceof KefuError) return { code: err.code, message: err.message };
  if (err instanceof Error) return { code: 'INTERNAL', message: err.message };
  return { code: 'INTERNAL', message: String(err) };
}
