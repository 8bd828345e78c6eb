// Manager policy: defaults and the zod schema the daemon's config composes. Times in ms.
import { z } from 'zod';
import { OutboxClass, TransportKind } from '../../protocol/schemas.js';

export const DEFAULT_ORDER: readonly string[] = ['nr5g', 'lte', 'wired', 'ble'];

export const GateOptions = z.object({
  /** share of failed probes in the window above which a link fails its gate */
  maxLoss: z.number().min(0).max(1).default(0.25),
  /** a ping slower than this (and 3× the window's best) was retransmitted: it counts as lost */
  lateMs: z.number().positive().default(150),
  /** a ping late on every alive link at once (each answered one in flight at the same time, all late) counts
   *  against none: the delay is in what they share (the broker, the box), and switching would not help */
  excuseCommonLate: z.boolean().default(true),
  /** median probe RTT above which a link fails its gate */
  maxRttMs: z.number().positive().default(1500),
  /** cellular: weakest acceptable signal (from the transport's state.detail) */
  minRsrpDbm: z.number().default(-120),
  minSinrDb: z.number().default(-5),
});

export const LinkPolicy = z.object({
  /** outbox classes the link may carry; BLE defaults to critical + event */
  classes: z.array(OutboxClass).optional(),
  /** metered links: bytes per period; over budget only `overBudgetClasses` may pass */
  budgetBytes: z.number().int().positive().optional(),
  budgetPeriodMs: z.number().int().positive().default(30 * 24 * 3600_000),
  overBudgetClasses: z.array(OutboxClass).default(['critical']),
});
export type LinkPolicy = z.infer<typeof LinkPolicy>;

export const ManagerOptions = z.object({
  /** preference: transport ids or kinds, best first; unknown entries are ignored, unlisted links go last. Unset:
   *  the box ranks its links in the order of its `transports:` list (the daemon passes it); a manager given neither
   *  ranks by kind (DEFAULT_ORDER). No schema default: a `failover:` section that sets only other keys must not
   *  silently replace the installer's list order with the kind order. */
  order: z.array(z.union([z.string(), TransportKind])).optional(),
  probe: z.object({
    intervalMs: z.number().int().positive().default(250),
    /** ping period of links that are not carrying the uplink (probes cost bytes on metered links) */
    standbyIntervalMs: z.number().int().positive().default(1000),
    /** a ping without answer for this long is a failed probe */
    timeoutMs: z.number().int().positive().default(750),
    /** consecutive failed probes that make a link dead (a hard error counts as all of them) */
    downAfter: z.number().int().positive().default(2),
    /** probes kept for the loss / RTT gates */
    window: z.number().int().positive().default(20),
    /** probes a link must answer after being dead before it counts as alive again */
    upAfter: z.number().int().positive().default(3),
    /** a failed probe session is retried after this, doubling per failure (with jitter) up to retryMaxMs; a refused
     *  login goes straight to retryMaxMs (the password file changing cuts the wait short) */
    retryBaseMs: z.number().int().positive().default(1000),
    retryMaxMs: z.number().int().positive().default(60_000),
    /** the most of the box's own event-loop delay excused per probe: time the loop was busy while a ping was in
     *  flight is taken off its RTT (the late and RTT gates) and its timeout. A link is still judged on the rest,
     *  and a ping never answered still fails once its timeout has passed on top of this much busy time. 0: off */
    maxLocalDelayMs: z.number().int().nonnegative().default(2000),
  }).default({ intervalMs: 250, standbyIntervalMs: 1000, timeoutMs: 750, downAfter: 2, window: 20, upAfter: 3, retryBaseMs: 1000, retryMaxMs: 60_000, maxLocalDelayMs: 2000 }),
  gates: GateOptions.default({ maxLoss: 0.25, lateMs: 150, excuseCommonLate: true, maxRttMs: 1500, minRsrpDbm: -120, minSinrDb: -5 }),
  /** fail-back waits until the preferred link passed its gates this long; doubled per recent failure */
  holdDownMs: z.number().int().nonnegative().default(60_000),
  maxHoldDownMs: z.number().int().positive().default(3600_000),
  /** failures of a link inside this window double its hold-down each (6 h: a link flapping hourly stays held) */
  flapWindowMs: z.number().int().positive().default(6 * 3600_000),
  /** fail-backs wait while this many switches happened in the last hour; one to a link that failed twice in the
   *  flap window waits while one fewer did (its next drop forces a failover, which no budget can refuse) */
  maxSwitchesPerHour: z.number().int().positive().default(2),
  /** the window `maxSwitchesPerHour` counts over: one hour; shorter only to compress time in tests and benches */
  budgetWindowMs: z.number().int().positive().default(3600_000),
  /** make-before-break: how long to wait for the new link's stream before giving up on it */
  switchOpenTimeoutMs: z.number().int().positive().default(3000),
  links: z.record(z.string(), LinkPolicy).default({}),
});
export type ManagerOptions = z.infer<typeof ManagerOptions>;
export type ManagerOptionsInput = z.input<typeof ManagerOptions>;
