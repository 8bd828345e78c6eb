// The outbox's config section (the root schema composes it as `outbox:`).
import { z } from 'zod';

export const OutboxConfig = z.object({
  /** bound on stored events; when full the lowest class is evicted first */
  maxBytes: z.number().int().positive().default(256 * 1024 * 1024),
  /**
   * how long an enqueue may wait for companions before its commit starts; 0 = the next event-loop turn (enqueues
   * that arrive while a commit is under way still share the next one, so throughput does not need a delay)
   */
  groupCommitMs: z.number().min(0).max(100).default(0),
  /** payload bytes kept in RAM; the rest waits on disk until its turn */
  memoryBytes: z.number().int().positive().default(32 * 1024 * 1024),
  /**
   * make events durable through a write-ahead log (one append per commit) instead of a synced level batch per
   * commit; the daemon puts it in `<dataDir>/outbox-wal`
   */
  wal: z.boolean().default(true),
  /**
   * with the log: 0 = an enqueue resolves once its event is on stable storage (survives a power cut: DESIGN.md's
   * durability; every enqueue waits for the disk's sync). N = once the OS has it (survives a crash or kill of the
   * daemon), synced within N ms: a power cut loses at most the last N ms, and enqueues no longer wait for the disk
   * (a box on a UPS, a disk with slow syncs). Without the log every commit is synced.
   */
  syncEveryMs: z.number().int().min(0).max(10_000).default(0),
  /** log bytes after which its live events are checkpointed into level and the log starts over */
  walMaxBytes: z.number().int().min(64 * 1024).default(16 * 1024 * 1024),
}).strict();
export type OutboxConfig = z.infer<typeof OutboxConfig>;
