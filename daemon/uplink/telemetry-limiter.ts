// Rate limit per telemetry name: at most one message per interval, the latest value wins, nothing queues up.
export interface TelemetryLimiter<T> {
  /** Offers a value; it is sent now or at the end of the current interval, unless a newer value replaces it. */
  offer(name: string, value: T): void;
  /** Sends the values that are held back (after a reconnect). */
  flushHeld(): void;
  stop(): void;
}

export function createTelemetryLimiter<T>(opts: { intervalMs: number; send: (name: string, value: T) => boolean; now?: () => number }): TelemetryLimiter<T> {
  const now = opts.now ?? Date.now;
  const slots = new Map<string, { lastSent: number; held?: T; timer?: NodeJS.Timeout }>();

  function trySend(name: string): void {
    const slot = slots.get(name)!;
    slot.timer = undefined;
    if (slot.held === undefined) return;
    // a send that fails (link down) keeps the value held for flushHeld()
    if (opts.send(name, slot.held)) { slot.held = undefined; slot.lastSent = now(); }
  }

  return {
    offer(name, value) {
      let slot = slots.get(name);
      if (!slot) slots.set(name, (slot = { lastSent: -Infinity }));
      slot.held = value;
      if (slot.timer) return;
      const wait = slot.lastSent + opts.intervalMs - now();
      if (wait <= 0) trySend(name);
      else slot.timer = setTimeout(() => trySend(name), wait);
    },
    flushHeld() {
      for (const [name, slot] of slots) {
        if (slot.held === undefined || slot.timer) continue;
        const wait = slot.lastSent + opts.intervalMs - now();
        if (wait <= 0) trySend(name);
        else slot.timer = setTimeout(() => trySend(name), wait);
      }
    },
    stop() {
      for (const slot of slots.values()) if (slot.timer) clearTimeout(slot.timer);
      slots.clear();
    },
  };
}
