// Schema of the master's HTTP API and dashboard.
import { z } from 'zod';

export const HttpConfig = z.object({
  host: z.string().default('0.0.0.0'),
  port: z.number().int().min(0).max(65535).default(8080),
  /** bearer token file; default `{dataDir}/http.token`, generated on first start */
  tokenFile: z.string().optional(),
});
export type HttpConfig = z.infer<typeof HttpConfig>;
