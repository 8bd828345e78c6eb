// Some brokers answer a publish they refuse by closing the connection (aedes with MQTT 3.1.1). The outbox would
// re-send that event after every reconnect and block the whole link for good. When a connection dies with
// nothing acknowledged, the guard sends one event at a time; an event that is alone in flight when the
// connection dies soon after it was sent, `maxStrikes` times, is quarantined (dropped and counted).
export interface PoisonGuardOptions {
  /** a connection that dies within this time after the send counts against the event */
  windowMs?: number;
  maxStrikes?: number;
  /** acks in a row that end the one-at-a-time mode */
  probeAcks?: number;
  now?: () => number;
}

export function createPoisonGuard(opts: PoisonGuardOptions = {}) {
  const windowMs = opts.windowMs ?? 2000;
  const maxStrikes = opts.maxStrikes ?? 3;
  const probeAcks = opts.probeAcks ?? 10;
  const now = opts.now ?? Date.now;
  /**
   * Only a lone event in flight can strike, and then it went out into an empty window: with nothing acknowledged
   * it was the connection's only send, and while probing the window is 1. So a count and the last send into an
   * empty window do, not a record per event.
   */
  let inflight = 0;
  let loneSeq = 0;
  let loneSentAt = 0;
  const strikes = new Map<number, number>();
  let acksThisConnection = 0;
  let probing = false;
  let probeOk = 0;

  return {
    get probing() { return probing; },
    limit(window: number): number { return probing ? 1 : window; },
    sent(seq: number): void {
      if (inflight++ > 0) return;
      loneSeq = seq;
      loneSentAt = now();
    },
    acked(seq: number): void {
      inflight--;
      strikes.delete(seq);
      acksThisConnection++;
      if (probing && ++probeOk >= probeAcks) { probing = false; probeOk = 0; }
    },
    /** The connection closed; returns the seq to quarantine, if one has struck out. */
    closed(): number | null {
      const n = inflight;
      inflight = 0;
      const acks = acksThisConnection;
      acksThisConnection = 0;
      if (n <= 0) return null;
      if (acks === 0) { probing = true; probeOk = 0; }
      if (!probing || n !== 1) return null;
      if (now() - loneSentAt > windowMs) return null;
      const seq = loneSeq;
      const strike = (strikes.get(seq) ?? 0) + 1;
      if (strike < maxStrikes) { strikes.set(seq, strike); return null; }
      strikes.delete(seq);
      return seq;
    },
  };
}
