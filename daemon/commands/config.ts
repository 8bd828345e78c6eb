// The command router's config section (the root schema composes it as `commands:`).
import { z } from 'zod';

export const CommandsConfig = z.object({
  /** globs of commands the master may run here (`system.*`) */
  allow: z.array(z.string()).default(['*']),
  /** globs that are refused even when allowed (deny wins) */
  deny: z.array(z.string()).default(['shell.*', 'modem.at']),
  /** how long command ids (and results) are remembered: longer than the master's longest expiry */
  idRetentionHours: z.number().positive().default(168),
  handlerTimeoutSeconds: z.number().positive().default(300),
  /** after applying a desired config, how long the master link may take to come back before a rollback */
  cfgConfirmTimeoutSeconds: z.number().positive().default(60),
}).strict();
export type CommandsConfig = z.infer<typeof CommandsConfig>;

/** The router's allow-list from the config: allows, then denies as `!pattern` (deny wins). */
export function allowListOf(c: Pick<CommandsConfig, 'allow' | 'deny'>): string[] {
  return [...c.allow, ...c.deny.map((d) => `!${d}`)];
}
