// At-least-once delivery of the outbox over one MQTT session at a time: QoS 1 publishes in a bounded window,
// each deleted from the outbox on its PUBACK. When the session closes, whatever it had in flight goes back to the
// outbox and is sent again on the next one; the poison guard drops an event that keeps killing connections.
import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { OutboxClass } from '../../protocol/schemas.js';
import type { Outbox, OutboxEntry } from '../outbox/index.js';
import { createPoisonGuard } from './poison-guard.js';

export interface OutboxPumpOptions {
  outbox: Outbox;
  log: Logger;
  /** un-acked publishes at a time */
  window: number;
  /** the current link's own, smaller cap (a slow link); undefined = the window */
  inflightLimit?: () => number | undefined;
  /** classes the current link may carry; undefined = all */
  allowedClasses?: () => readonly OutboxClass[] | undefined;
  /** a PUBACK arrived (the event is deleted from the outbox by then) */
  onAcked?: (e: OutboxEntry) => void;
  now: () => number;
}

// one options object per kind instead of one per publish (mqtt.js copies what it is given)
const QOS1 = Object.freeze({ qos: 1 as const, retain: false });
const QOS1_RETAIN = Object.freeze({ qos: 1 as const, retain: true });

/** publishes encoded per event-loop turn: encoding a whole window at once would stall producers waiting on the loop */
const SLICE = 64;

export function createOutboxPump(opts: OutboxPumpOptions) {
  const { outbox, log } = opts;
  const guard = createPoisonGuard({ now: opts.now });
  /** the session publishes go to; a callback from an older session is stale (its events were requeued) */
  let session: { client: MqttClient } | null = null;
  let inflight = 0;
  let scheduled = false;
  /** stopping: PUBACKs still count, nothing new goes out */
  let halted = false;
  const counters = { acked: 0, rejected: 0 };

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => { scheduled = false; pump(); });
  }

  function pump(): void {
    const client = session?.client;
    if (!client?.connected || halted) return;
    const allowed = opts.allowedClasses?.();
    const set = allowed ? new Set(allowed) : undefined;
    // an MQTT 5 broker may announce a smaller receive maximum than our window, and a slow link a smaller cap
    const window = opts.window;
    const limit = guard.limit(Math.min(window, opts.inflightLimit?.() ?? window, client.serverProperties?.receiveMaximum ?? window));
    const room = Math.min(limit - inflight, SLICE);
    if (room <= 0) return;
    const batch = outbox.take(set, room);
    for (const e of batch) send(session!, e);
    if (batch.length === room && inflight < limit) schedule();
  }

  function send(s: { client: MqttClient }, e: OutboxEntry): void {
    inflight++;
    guard.sent(e.seq);
    s.client.publish(e.topic, e.payload, e.retain ? QOS1_RETAIN : QOS1, (err) => {
      if (s !== session) return;
      inflight--;
      if (!err) {
        guard.acked(e.seq);
        outbox.ack(e.seq);
        counters.acked++;
        opts.onAcked?.(e);
      } else if (typeof (err as { code?: unknown }).code === 'number') {
        // an MQTT 5 broker refused this publish for good (e.g. not authorised): retrying would block the class
        guard.acked(e.seq);
        counters.rejected++;
        outbox.reject(e.seq);
        log.warn({ topic: e.topic, seq: e.seq, reason: err.message }, 'broker refused an outbox event; dropped and counted');
      }
      schedule();
    });
  }

  return {
    /** A session is up: start sending. */
    attach(client: MqttClient): void {
      session = { client };
      halted = false;
      pump();
    },

    /** The session closed: its un-acked events go back to the outbox. Returns how many. */
    detach(): number {
      session = null;
      const poison = guard.closed();
      if (poison !== null) {
        counters.rejected++;
        outbox.reject(poison);
        log.error({ seq: poison }, 'an outbox event kept breaking the connection (refused by the broker?); dropped and counted');
      }
      inflight = 0;
      return outbox.requeueInflight();
    },

    /** The uplink is stopping: acknowledgements are still applied, no more events are sent. */
    halt(): void { halted = true; },

    /** Sends what may go now (new events, a freed window, a link that may carry more classes). */
    schedule,

    get inflight(): number { return inflight; },
    counters,
  };
}
