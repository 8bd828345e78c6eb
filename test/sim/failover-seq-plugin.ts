// A test plugin for the real `kefu start`: publishes numbered durable events `evt/failover-seq/seq` and, once
// the outbox has them (publish resolved = synced to level), appends "n id" to a confirm file. A line in that file
// is a promise the box made: the event must reach the master, exactly once after dedupe on the envelope id, even
// across kill -9. A restarted box continues well past the last confirmed number (the dead one may have stored a
// few it never confirmed), so a number seen under two envelope ids means an event was stored twice.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { definePlugin } from '../../daemon/plugin-api.js';

export const SEQ_PLUGIN = 'failover-seq';

const Config = z.object({
  intervalMs: z.number().int().positive().default(20),
  confirmFile: z.string(),
  /** publishing stops once this file exists (the daemon keeps running so the outbox drains) */
  stopFile: z.string(),
}).strict();

export function readConfirmed(file: string): Array<{ n: number; id: string }> {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => { const [n, id] = l.split(' '); return { n: Number(n), id }; });
}

export default definePlugin({
  name: SEQ_PLUGIN,
  apiVersion: 1,
  config: Config,
  setup(ctx) {
    let timer: NodeJS.Timeout | undefined;
    let n = 0;
    const tick = () => {
      if (existsSync(ctx.config.stopFile)) return;
      const k = ++n;
      ctx.uplink.publish('seq', { n: k }).then(
        (r) => appendFileSync(ctx.config.confirmFile, `${k} ${r.id}\n`),
        (err: Error) => ctx.log.warn({ n: k, err: err.message }, 'seq event not stored'),
      );
    };
    return {
      start() {
        n = Math.max(0, ...readConfirmed(ctx.config.confirmFile).map((c) => c.n)) + 10_000;
        timer = setInterval(tick, ctx.config.intervalMs);
      },
      stop() { clearInterval(timer); timer = undefined; },
      health: () => ({ ok: true }),
    };
  },
});
