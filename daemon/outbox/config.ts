// The outbox's config section (the root schema composes it as `outbox:`).
import { z } from 'zod';

export const OutboxConfig = z.object({
  /** bound on stored events; when full the lowest class is evicted first */
  maxBytes: z.number().int().positive().default(256 * 1024 * 1024),
  /** how long an enqueue may wait for companions before the synced batch is written */
  groupCommitMs: z.number().min(0).max(100).default(2),
  /** payload bytes kept in RAM; the rest waits on disk until its turn */
  memoryBytes: z.number().int().positive().default(32 * 1024 * 1024),
}).strict();
export type OutboxConfig = z.infer<typeof OutboxConfig>;
