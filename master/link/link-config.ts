// Schema of the external broker section: the master connects to an existing broker or cluster instead of
// embedding aedes.
import { z } from 'zod';

export const ExternalBrokerConfig = z.object({
  url: z.string().regex(/^(mqtts?|wss?|tcp|tls):\/\//, 'an mqtt://, mqtts://, ws:// or wss:// URL'),
  username: z.string().default('kefu-master'),
  /** default `{dataDir}/service.secret` (the file `kefu master acl --mosquitto` registers) */
  passwordFile: z.string().optional(),
  /** CA bundle for mqtts/wss to a private CA */
  caFile: z.string().optional(),
  /** MQTT 5 shared subscriptions ($share/{group}/…) so several master workers split events and telemetry */
  sharedSubscriptions: z.boolean().default(false),
  sharedGroup: z.string().regex(/^[A-Za-z0-9_-]+$/).default('kefu-master'),
  /** distinguishes master workers (client id `{username}-{workerId}`) */
  workerId: z.string().regex(/^[A-Za-z0-9_-]+$/).default('main'),
});
export type ExternalBrokerConfig = z.infer<typeof ExternalBrokerConfig>;
