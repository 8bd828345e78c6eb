// Connect rate limit per remote address (fixed window). Bounded: old windows are dropped as new ones arrive.
export interface ConnectLimiter { allow(address: string | undefined, now?: number): boolean }

export function createConnectLimiter(opts: { perWindow: number; windowMs: number; maxAddresses?: number }): ConnectLimiter {
  const windows = new Map<string, { start: number; count: number }>();
  const maxAddresses = opts.maxAddresses ?? 10_000;
  return {
    allow(address = 'unknown', now = Date.now()) {
      let w = windows.get(address);
      if (!w || now - w.start >= opts.windowMs) {
        if (windows.size >= maxAddresses) {
          for (const [k, v] of windows) if (now - v.start >= opts.windowMs) windows.delete(k);
          // still full of live windows: forget the oldest rather than grow without bound
          if (windows.size >= maxAddresses) windows.delete(windows.keys().next().value as string);
        }
        w = { start: now, count: 0 };
        windows.delete(address);
        windows.set(address, w);
      }
      w.count++;
      return w.count <= opts.perWindow;
    },
  };
}
