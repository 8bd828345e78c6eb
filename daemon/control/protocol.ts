// The control socket speaks JSON lines: `{id, method, params}` in, `{id, ok, result}` or `{id, ok:false, error}` out.
import { join } from 'node:path';

export const CONTROL_SOCKET_NAME = 'kefu.sock';
export const controlSocketPath = (dataDir: string) => join(dataDir, CONTROL_SOCKET_NAME);

export interface ControlRequest { id: number; method: string; params?: unknown }
export type ControlResponse =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: { code: string; message: string } };
