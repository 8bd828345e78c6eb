// A small client of the master's HTTP API, for the CLI and for tests. Where the master is comes from flags,
// then KEFU_MASTER_URL / KEFU_MASTER_TOKEN, then the data dir of a master running on this machine.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KefuError } from '../../protocol/errors.js';
import type { BoxInfo } from '../fleet/registry.js';

export interface MasterEndpoint { url: string; token: string }

export async function resolveMasterEndpoint(opts: { url?: string; token?: string; tokenFile?: string; dataDir?: string; env?: NodeJS.ProcessEnv }): Promise<MasterEndpoint> {
  const env = opts.env ?? process.env;
  const dataDir = opts.dataDir ?? env.KEFU_MASTER_DATA;
  let url = opts.url ?? env.KEFU_MASTER_URL;
  let token = opts.token ?? env.KEFU_MASTER_TOKEN;
  if (!token && opts.tokenFile) token = (await readFile(opts.tokenFile, 'utf8')).trim();
  if (dataDir && !url) {
    try {
      url = (JSON.parse(await readFile(join(dataDir, 'master.json'), 'utf8')) as { http?: string }).http;
    } catch { /* not running here: the error below names what is missing */ }
  }
  if (dataDir && !token) {
    try { token = (await readFile(join(dataDir, 'http.token'), 'utf8')).trim(); } catch { /* reported below */ }
  }
  if (!url && dataDir && existsSync(dataDir)) {
    throw new KefuError('MASTER_NOT_RUNNING', `no master is running with data folder ${dataDir} (start it with \`npm start\`/\`kefu up\`, or \`kefu master run\`)`);
  }
  if (!url) throw new KefuError('MASTER_UNKNOWN', 'where is the master? pass --url, set KEFU_MASTER_URL, or --data <dir> of a running master');
  if (!token) throw new KefuError('MASTER_TOKEN_MISSING', 'no API token: pass --token-file, set KEFU_MASTER_TOKEN, or --data <dir> of the master');
  return { url: url.replace(/\/$/, ''), token };
}

export function createMasterClient(endpoint: MasterEndpoint) {
  async function call<T>(method: string, path: string, body?: unknown, timeoutMs = 30_000): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${endpoint.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${endpoint.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new KefuError('MASTER_UNREACHABLE', `cannot reach the master at ${endpoint.url}: ${(err as Error).message}`);
    }
    const json = (await res.json().catch(() => null)) as { ok?: boolean; error?: { code: string; message: string } } | null;
    if (!res.ok) throw new KefuError(json?.error?.code ?? `HTTP_${res.status}`, json?.error?.message ?? `HTTP ${res.status}`);
    return json as T;
  }
  return {
    boxes: () => call<BoxInfo[]>('GET', '/api/boxes'),
    box: (id: string) => call<BoxInfo & { telemetry: Record<string, unknown> }>('GET', `/api/boxes/${encodeURIComponent(id)}`),
    events: (id: string, limit = 50) => call<unknown[]>('GET', `/api/boxes/${encodeURIComponent(id)}/events?limit=${limit}`),
    stats: () => call<Record<string, unknown>>('GET', '/api/stats'),
    send: (id: string, name: string, args: unknown, timeoutMs?: number) =>
      call<{ id: string; ok: true; result: unknown; progress: unknown[] }>('POST', `/api/boxes/${encodeURIComponent(id)}/commands`, { name, args, timeoutMs }, (timeoutMs ?? 30_000) + 5_000),
    broadcast: (name: string, args: unknown, opts: { region?: string; timeoutMs?: number } = {}) =>
      call<{ id: string; results: Array<{ box: string; ok: boolean; result?: unknown; error?: { code: string; message: string } }> }>('POST', '/api/broadcast', { name, args, ...opts }, (opts.timeoutMs ?? 30_000) + 5_000),
  };
}
export type MasterClient = ReturnType<typeof createMasterClient>;
