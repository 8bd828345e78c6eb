// Schema of the master's HTTP API and dashboard.
import { z } from 'zod';

export const HttpConfig = z.object({
  host: z.string().default('0.0.0.0'),
  port: z.number().int().min(0).max(65535).default(8080),
  /** bearer token file; default `{dataDir}/http.token`, generated on first start */
  tokenFile: z.string().optional(),
  /** HTTPS for the API and dashboard (anything not on loopback should use it) */
  tls: z.object({ cert: z.string(), key: z.string() }).nullable().default(null),
});
export type HttpConfig = z.infer<typeof HttpConfig>;
