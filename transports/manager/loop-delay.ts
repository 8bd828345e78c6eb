// How much of a span this process's event loop spent busy (running callbacks, or descheduled while running one).
// An answer that reaches the socket while the loop is busy waits in the kernel until the loop is free, and the loop
// is never idle in its poll while a readable socket waits: the wait between a probe's PINGRESP arriving and its
// handler running is at most the loop's busy time since the PINGREQ was sent. Read from libuv's idle-time metric
// (performance.eventLoopUtilization): no timer, no sampling, a few hundred ns a read.
import { performance, type EventLoopUtilization } from 'node:perf_hooks';

export interface LoopMark { elu: EventLoopUtilization }

export interface LoopDelay {
  /** a mark to measure from (taken when a ping or a connect is sent) */
  mark(): LoopMark;
  /** ms the loop was busy since the mark, capped at `maxMs` (0 when the correction is off) */
  busySince(m: LoopMark): number;
}

export function createLoopDelay(maxMs: number): LoopDelay {
  return {
    mark: () => ({ elu: performance.eventLoopUtilization() }),
    busySince(m) {
      if (maxMs <= 0) return 0;
      const d = performance.eventLoopUtilization(m.elu);
      return Math.max(0, Math.min(maxMs, d.active));
    },
  };
}
