// The cellular transport's config (one entry of `transports:` with kind nr5g or lte).
import { z } from 'zod';
import { fileRef } from '../../daemon/config/file-ref.js';
import { OutboxClass } from '../../protocol/schemas.js';

export const CellularConfigSchema = z.object({
  id: z.string().min(1),
  kind: z.enum(['nr5g', 'lte']),
  /** outbox classes this link may carry (all when absent) */
  classes: z.array(OutboxClass).optional(),
  modem: z.object({
    /** `auto` (USB VID/PID from the profiles), a path such as /dev/serial/by-id/…, or a glob */
    port: z.string().min(1).default('auto'),
    /** `auto` (match ATI / AT+CGMR) or a profile name from firmware-profiles/ */
    profile: z.string().min(1).default('auto'),
    apn: z.string().optional(),
    /** file holding the SIM PIN; never logged */
    pinFile: fileRef(z.string(), 'secret').optional(),
    baudRate: z.number().int().positive().default(115200),
    /** last rung of the reset ladder, e.g. ["/usr/local/bin/modem-power", "cycle"] */
    powerCycleCommand: z.array(z.string()).min(1).optional(),
    profileDir: fileRef(z.string(), 'dir').optional(),
  }).strict().prefault({}),
  /** the network device the modem brings up (wwan0, usb0); openStream binds to its IPv4 address */
  netdev: z.string().optional(),
  /** below these the link is `degraded` */
  gates: z.object({
    minRsrpDbm: z.number().default(-115),
    minSinrDb: z.number().default(-3),
    minQuality: z.number().min(0).max(1).default(0.2),
  }).strict().prefault({}),
  timing: z.object({
    commandTimeoutMs: z.number().int().positive().default(3000),
    keepaliveMs: z.number().int().positive().default(2500),
    registrationTimeoutMs: z.number().int().positive().default(180_000),
    portWaitMs: z.number().int().positive().default(30_000),
    retryMs: z.number().int().positive().default(5000),
    hardResetMinIntervalMs: z.number().int().nonnegative().default(600_000),
    /** how long a loss of registration on one RAT waits for another RAT's registration before the link goes down */
    lossGraceMs: z.number().int().nonnegative().max(900).default(300),
    /** overrides the profile's signal polling interval (tests, `kefu modem signal --watch`) */
    signalIntervalMs: z.number().int().positive().optional(),
  }).strict().prefault({}),
}).strict();

export type CellularConfig = z.infer<typeof CellularConfigSchema>;
