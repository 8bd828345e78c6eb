// AT errors carry the command and the modem's raw reply, so a log line or `kefu modem at` shows both.
import { TransportError } from '../../../protocol/errors.js';

export type AtErrorCode = 'AT_ERROR' | 'AT_CME_ERROR' | 'AT_CMS_ERROR' | 'AT_TIMEOUT' | 'AT_PORT_CLOSED' | 'AT_NO_CARRIER';

export class AtCommandError extends TransportError {
  constructor(code: AtErrorCode, readonly command: string, readonly response: string[], readonly cme: string | null = null, message?: string) {
    super(code, message ?? `${command}: ${response.length ? response.join(' | ') : code}`, { command, response, cme });
  }
}

/** 27.007 +CME codes that mean "fix the SIM or the config", not "reset the modem". */
export const CONFIG_CME: ReadonlySet<string> = new Set(['10', '11', '12', '13', '16', '17', '18', 'SIM not inserted', 'SIM PIN required', 'SIM PUK required',
  'SIM failure', 'incorrect password', 'SIM PIN2 required', 'SIM PUK2 required']);
