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
  const sentAt = new Map<number, number>();
  const strikes = new Map<number, number>();
  let acksThisConnection = 0;
  let probing = false;
  let probeOk = 0;

  return {
    get probing() { return probing; },
    limit(window: number): number { return probing ? 1 : window; },
    sent(seq: number): void { sentAt.set(seq, now()); },
    acked(seq: number): void {
      sentAt.delete(seq);
      strikes.delete(seq);
      acksThisConnection++;
      if (probing && ++probeOk >= probeAcks) { probing = false; probeOk = 0; }
    },
    /** The connection closed; returns the seq to quarantine, if one has struck out. */
    closed(): number | null {
      const inflight = [...sentAt];
      sentAt.clear();
      const acks = acksThisConnection;
      acksThisConnection = 0;
      if (inflight.length === 0) return null;
      if (acks === 0) { probing = true; probeOk = 0; }
      if (!probing || inflight.length !== 1) return null;
      const [seq, at] = inflight[0];
      if (now() - at > windowMs) return null;
      const n = (strikes.get(seq) ?? 0) + 1;
      if (n < maxStrikes) { strikes.set(seq, n); return null; }
      strikes.delete(seq);
      return seq;
    },
  };
}
