// A small client of the master's HTTP API, for the CLI and for tests. Where the master is comes from flags,
// then KEFU_MASTER_URL / KEFU_MASTER_TOKEN, then the data dir of a master running on this machine, then the
// master's config (its http section). A private CA (`ca`) is trusted for https.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { cannotRead, KefuError } from '../../protocol/errors.js';
import type { BoxInfo } from '../fleet/registry.js';

export interface MasterEndpoint { url: string; token: string; ca?: Buffer }

export interface EndpointOptions {
  url?: string; token?: string; tokenFile?: string; dataDir?: string;
  /** CA certificate file for an https master signed by a private CA */
  caFile?: string;
  /** the URL the master's config implies, when no running master left its address in the data dir */
  configUrl?: string;
  env?: NodeJS.ProcessEnv;
}

async function readOr(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new KefuError('FILE_UNREADABLE', cannotRead(what, path, err));
  }
}

export async function resolveMasterEndpoint(opts: EndpointOptions): Promise<MasterEndpoint> {
  const env = opts.env ?? process.env;
  const dataDir = opts.dataDir ?? env.KEFU_MASTER_DATA;
  let url = opts.url ?? env.KEFU_MASTER_URL;
  let token = opts.token ?? env.KEFU_MASTER_TOKEN;
  if (!token && opts.tokenFile) token = (await readOr(opts.tokenFile, 'token file')).trim();
  let notRunning = false;
  if (dataDir && !url) {
    try {
      const runtime = JSON.parse(await readFile(join(dataDir, 'master.json'), 'utf8')) as { http?: string; api?: string };
      url = runtime.api ?? runtime.http;
    } catch (err) {
      // no runtime file in a folder we can read: not running. A folder we may not read (another user's master):
      // the config's address may still be right
      notRunning = (err as NodeJS.ErrnoException).code === 'ENOENT' && existsSync(dataDir);
    }
  }
  if (!notRunning) url ||= opts.configUrl;
  if (dataDir && !token) {
    try { token = (await readFile(join(dataDir, 'http.token'), 'utf8')).trim(); } catch { /* reported below */ }
  }
  if (!url && dataDir && existsSync(dataDir)) {
    throw new KefuError('MASTER_NOT_RUNNING', `no master is running with data folder ${dataDir} (start it with \`npm start\`/\`kefu up\`, or \`kefu master run\`)`);
  }
  if (!url) throw new KefuError('MASTER_UNKNOWN', 'where is the master? pass --config <master.yaml>, --url, set KEFU_MASTER_URL, or --data <dir> of a running master');
  if (!token) throw new KefuError('MASTER_TOKEN_MISSING', 'no API token: pass --token-file, set KEFU_MASTER_TOKEN, or --config/--data of the master');
  const caFile = opts.caFile ?? env.KEFU_MASTER_CA;
  const ca = caFile ? Buffer.from(await readOr(caFile, 'CA file')) : undefined;
  return { url: url.replace(/\/$/, ''), token, ...(ca ? { ca } : {}) };
}

// node's TLS verification errors (X509_V_ERR_* names) and handshake failures
const TLS_CODE = /CERT|SELF_SIGNED|UNABLE_TO_(VERIFY|GET)|ALTNAME|EPROTO|SSL|TLS|HOSTNAME/;

/** A transport failure as a code: MASTER_TLS for a certificate or handshake problem, MASTER_UNREACHABLE otherwise. */
export function reachError(url: string, err: NodeJS.ErrnoException, hasCa: boolean): KefuError {
  const code = err.code ?? '';
  if (TLS_CODE.test(code) || /certificate|ssl|tls/i.test(err.message)) {
    const hint = /ALTNAME|HOSTNAME/.test(code)
      ? 'the certificate does not name this host: use a URL with a name in its certificate'
      : hasCa ? 'the CA given does not verify the master\'s certificate' : 'a private CA? pass --ca <ca.crt> (or --config whose http.tls.ca names it)';
    return new KefuError('MASTER_TLS', `TLS/certificate problem with the master at ${url}: ${err.message}${code && !err.message.includes(code) ? ` (${code})` : ''}; ${hint}`);
  }
  return new KefuError('MASTER_UNREACHABLE', `cannot reach the master at ${url}: ${err.message}${code && !err.message.includes(code) ? ` (${code})` : ''}`);
}

export function createMasterClient(endpoint: MasterEndpoint) {
  function call<T>(method: string, path: string, body?: unknown, timeoutMs = 30_000): Promise<T> {
    const target = new URL(`${endpoint.url}${path}`);
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string | number> = { authorization: `Bearer ${endpoint.token}`, ...(data ? { 'content-type': 'application/json', 'content-length': data.length } : {}) };
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<T>((resolve, reject) => {
      const req = send(target, { method, headers, timeout: timeoutMs, ...(endpoint.ca ? { ca: endpoint.ca } : {}) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => reject(reachError(endpoint.url, err, !!endpoint.ca)));
        res.on('end', () => {
          let json: { ok?: boolean; error?: { code: string; message: string } } | null = null;
          try { json = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { /* not JSON: the status says it */ }
          const status = res.statusCode ?? 0;
          if (status < 200 || status >= 300) reject(new KefuError(json?.error?.code ?? `HTTP_${status}`, json?.error?.message ?? `HTTP ${status}`));
          else resolve(json as T);
        });
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
      req.on('error', (err) => reject(reachError(endpoint.url, err, !!endpoint.ca)));
      req.end(data);
    });
  }
  return {
    boxes: () => call<BoxInfo[]>('GET', '/api/boxes'),
    box: (id: string) => call<BoxInfo & { telemetry: Record<string, unknown> }>('GET', `/api/boxes/${encodeURIComponent(id)}`),
    events: (id: string, limit = 50) => call<unknown[]>('GET', `/api/boxes/${encodeURIComponent(id)}/events?limit=${limit}`),
    stats: () => call<Record<string, unknown>>('GET', '/api/stats'),
    send: (id: string, name: string, args: unknown, timeoutMs?: number, opts: { wait?: boolean } = {}) =>
      call<{ id: string; ok: true; result: unknown; progress: unknown[] }>('POST', `/api/boxes/${encodeURIComponent(id)}/commands`, { name, args, timeoutMs, ...(opts.wait ? { wait: true } : {}) }, (timeoutMs ?? 30_000) + 5_000),
    broadcast: (name: string, args: unknown, opts: { region?: string; timeoutMs?: number } = {}) =>
      call<{ id: string; results: Array<{ box: string; ok: boolean; result?: unknown; error?: { code: string; message: string } }> }>('POST', '/api/broadcast', { name, args, ...opts }, (opts.timeoutMs ?? 30_000) + 5_000),
  };
}
export type MasterClient = ReturnType<typeof createMasterClient>;
