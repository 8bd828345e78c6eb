// Group commit: items that arrive while a commit runs (or within the same turn of the event loop) are
// written together by the next one, at most `maxBatch` at a time. One commit runs at a time, so the batch
// size follows the load: one item when idle, hundreds under a burst.
export interface GroupCommit<T, R> {
  add(item: T, done: (err: Error | null, result?: R) => void): void;
  /** resolves once everything added so far is committed (or failed) */
  drain(): Promise<void>;
  readonly pending: number;
}

export function createGroupCommit<T, R>(opts: { maxBatch: number; commit: (items: T[]) => Promise<R[]>; onCallbackError?: (err: Error) => void }): GroupCommit<T, R> {
  let queue: Array<{ item: T; done: (err: Error | null, result?: R) => void }> = [];
  let running = false;
  let scheduled = false;
  let idle: Array<() => void> = [];

  // a throwing callback must not stall the queue nor the rest of its batch
  function settle(done: (err: Error | null, result?: R) => void, err: Error | null, result?: R) {
    try { done(err, result); } catch (e) { opts.onCallbackError?.(e as Error); }
  }

  function schedule() {
    if (running || scheduled) return;
    scheduled = true;
    setImmediate(flush);
  }

  function flush() {
    scheduled = false;
    if (running) return;
    if (!queue.length) {
      for (const resolve of idle.splice(0)) resolve();
      return;
    }
    const batch = queue.length <= opts.maxBatch ? queue : queue.slice(0, opts.maxBatch);
    queue = queue.length <= opts.maxBatch ? [] : queue.slice(opts.maxBatch);
    running = true;
    let commit: Promise<R[]>;
    try {
      commit = opts.commit(batch.map((b) => b.item));
    } catch (err) {
      commit = Promise.reject(err);
    }
    commit.then(
      (results) => { for (let i = 0; i < batch.length; i++) settle(batch[i].done, null, results[i]); },
      (err: Error) => { for (const b of batch) settle(b.done, err); },
    ).finally(() => {
      running = false;
      // what queued up during this commit goes now: waiting a turn would only add latency
      if (queue.length) flush();
      else for (const resolve of idle.splice(0)) resolve();
    });
  }

  return {
    add(item, done) {
      queue.push({ item, done });
      schedule();
    },
    drain() {
      if (!running && !queue.length) return Promise.resolve();
      return new Promise<void>((resolve) => idle.push(resolve));
    },
    get pending() { return queue.length + (running ? 1 : 0); },
  };
}
