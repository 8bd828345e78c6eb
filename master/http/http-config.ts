// Schema of the master's HTTP API and dashboard.
import { z } from 'zod';

export const HttpConfig = z.object({
  /** plain HTTP carries the API token: bind it to loopback, or set `tls` to serve it on other interfaces */
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(8080),
  /** bearer token file; default `{dataDir}/http.token`, generated on first start */
  tokenFile: z.string().optional(),
  /** HTTPS for the API and dashboard (anything not on loopback should use it). `ca`: the CA that signed `cert`,
   *  which `kefu master … --config` trusts (what `kefu master tls` writes) */
  tls: z.object({ cert: z.string().min(1), key: z.string().min(1), ca: z.string().min(1).optional() }).nullable().default(null),
});
export type HttpConfig = z.infer<typeof HttpConfig>;
