// Command ids with their results, persisted so that a command runs at most once even across restarts and a
// duplicate delivery gets the stored result again. A command is marked `running` (synced) before its handler
// runs: if the box dies mid-command, a redelivery is answered COMMAND_INTERRUPTED instead of running twice.
import type { ResultMessage } from '../../protocol/schemas.js';
import type { Store } from '../store.js';

export type LedgerRecord = { s: 'running'; ts: number } | { s: 'done'; ts: number; r: ResultMessage };

export function createCommandLedger(opts: { store: Store; retentionMs: number; now?: () => number }) {
  const { store } = opts;
  const now = opts.now ?? Date.now;
  const synced = { sync: true } as never; // classic-level honours `sync`; the abstract type omits it
  return {
    async get(id: string): Promise<LedgerRecord | undefined> {
      return (await store.get(id)) as LedgerRecord | undefined;
    },
    async begin(id: string): Promise<void> {
      await store.put(id, { s: 'running', ts: now() } satisfies LedgerRecord, synced);
    },
    async finish(id: string, r: ResultMessage): Promise<void> {
      await store.put(id, { s: 'done', ts: now(), r } satisfies LedgerRecord, synced);
    },
    /** Deletes records older than the retention; returns how many. */
    async prune(): Promise<number> {
      const cutoff = now() - opts.retentionMs;
      const old: string[] = [];
      for await (const [key, value] of store.iterator()) {
        const ts = (value as { ts?: unknown } | null)?.ts;
        if (typeof ts !== 'number' || ts < cutoff) old.push(key);
      }
      if (old.length > 0) await store.batch(old.map((key) => ({ type: 'del' as const, key })));
      return old.length;
    },
  };
}

export type CommandLedger = ReturnType<typeof createCommandLedger>;
