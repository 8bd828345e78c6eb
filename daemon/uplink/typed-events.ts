// Small typed event emitter: every subscription returns its disposer; once() can wait with a timeout.
export type Listener<T> = (payload: T) => void;

export function createTypedEvents<M extends Record<string, unknown>>(onListenerError: (event: string, err: unknown) => void) {
  const listeners = new Map<keyof M, Set<Listener<never>>>();
  function on<K extends keyof M>(event: K, fn: Listener<M[K]>): () => void {
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    set.add(fn as Listener<never>);
    return () => { set!.delete(fn as Listener<never>); };
  }
  return {
    on,
    emit<K extends keyof M>(event: K, payload: M[K]): void {
      const set = listeners.get(event);
      if (!set || set.size === 0) return; // the hot path (one `acked` per event) usually has no listener
      for (const fn of [...set]) {
        try { (fn as Listener<M[K]>)(payload); } catch (err) { onListenerError(String(event), err); }
      }
    },
    /** Resolves with the next `event`, or rejects after `timeoutMs`. */
    once<K extends keyof M>(event: K, timeoutMs: number): Promise<M[K]> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => { off(); reject(new Error(`timed out waiting for ${String(event)}`)); }, timeoutMs);
        const off = on(event, (p) => { clearTimeout(timer); off(); resolve(p); });
      });
    },
    /** Lets a hot path skip building a payload nobody listens to. */
    has(event: keyof M): boolean { return (listeners.get(event)?.size ?? 0) > 0; },
    clear(): void { listeners.clear(); },
  };
}
