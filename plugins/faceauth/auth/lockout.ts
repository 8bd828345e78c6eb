// Failed-attempt limiting: failures inside a sliding window lock the key (an account or a terminal) for a
// while. In memory: a daemon restart forgives, which is acceptable for a hall box behind its own LAN.
export interface LockoutPolicy { maxFailures: number; windowMs: number; lockMs: number }

export interface Lockout {
  /** ms until the key is unlocked (0 = not locked) */
  lockedFor(key: string): number;
  /** records a failure; returns the lock time it caused (0 if none) */
  fail(key: string): number;
  succeed(key: string): void;
  clear(): void;
}

export function createLockout(policy: LockoutPolicy, now: () => number = Date.now): Lockout {
  const state = new Map<string, { failures: number[]; lockedUntil: number }>();
  const get = (key: string) => { let s = state.get(key); if (!s) { s = { failures: [], lockedUntil: 0 }; state.set(key, s); } return s; };
  return {
    lockedFor(key) {
      const s = state.get(key);
      return s ? Math.max(0, s.lockedUntil - now()) : 0;
    },
    fail(key) {
      const s = get(key), t = now();
      s.failures = s.failures.filter((f) => t - f < policy.windowMs);
      s.failures.push(t);
      if (s.failures.length >= policy.maxFailures) { s.lockedUntil = t + policy.lockMs; s.failures = []; return policy.lockMs; }
      return 0;
    },
    succeed(key) { state.delete(key); },
    clear() { state.clear(); },
  };
}
