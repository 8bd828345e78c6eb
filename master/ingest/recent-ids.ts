// A bounded set of recently seen keys, oldest evicted first: the dedupe fast path of the event store.
// Insertion order is enough (no LRU touch on read): replays arrive within minutes of the original, and a
// key that fell out is still found in level, only more slowly.
export interface RecentIds {
  has(key: string): boolean;
  add(key: string): void;
  delete(key: string): void;
  readonly size: number;
}

export function createRecentIds(capacity: number): RecentIds {
  const keys = new Set<string>();
  return {
    has: (key) => keys.has(key),
    add(key) {
      if (keys.has(key)) return;
      keys.add(key);
      if (keys.size > capacity) keys.delete(keys.values().next().value as string);
    },
    delete: (key) => { keys.delete(key); },
    get size() { return keys.size; },
  };
}
