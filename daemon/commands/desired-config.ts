// The retained `cfg` (desired config): apply it through the caller's callback, then prove the master link still
// works by getting a PUBACK for `cfg/reported`. No PUBACK within the confirm timeout: roll back and report
// applied:false (through the outbox, so the report lands once the old config has the link back).
import type { Logger } from 'pino';
import { CfgMessage, PROTOCOL_VERSION, type CfgReportedMessage } from '../../protocol/schemas.js';
import { decodePayload, RejectCounter } from '../../protocol/decode.js';
import { toErrorBody } from '../../protocol/errors.js';
import { topics, type BoxRef } from '../../protocol/topics.js';
import type { Outbox } from '../outbox/index.js';
import type { Store } from '../store.js';
import { isRoutineRefusal } from './command-router.js';

export interface ConfigLink {
  publishNow(topic: string, payload: unknown, o: { qos: 1; retain: boolean }): Promise<void>;
  once(event: 'connected', timeoutMs: number): Promise<unknown>;
}

export interface DesiredConfigOptions {
  box: BoxRef;
  log: Logger;
  link: ConfigLink;
  outbox: Pick<Outbox, 'enqueue'>;
  /** remembers the last version handled, so the retained message is not re-applied on every reconnect */
  store: Store;
  apply(cfg: CfgMessage): Promise<void> | void;
  rollback(cfg: CfgMessage): Promise<void> | void;
  confirmTimeoutMs?: number;
  now?: () => number;
}

const HANDLED_KEY = 'cfg:handled';
/** the desired config the box runs with: applied and confirmed, so the next start applies it again */
const IN_FORCE_KEY = 'cfg:inForce';

export function createDesiredConfig(opts: DesiredConfigOptions) {
  const { box, log, link } = opts;
  const now = opts.now ?? Date.now;
  const rejected = new RejectCounter();
  let chain: Promise<void> = Promise.resolve();
  let stopped = false;

  const report = (version: number, applied: boolean, error?: { code: string; message: string }): CfgReportedMessage =>
    ({ v: PROTOCOL_VERSION, version, applied, ...(error ? { error } : {}), ts: now() });

  /** Retries the PUBACK probe on every reconnect until it succeeds or the deadline passes. */
  async function confirm(version: number, deadline: number): Promise<boolean> {
    while (!stopped && now() < deadline) {
      try {
        await link.publishNow(topics.cfgReported(box), report(version, true), { qos: 1, retain: true });
        return true;
      } catch {
        await link.once('connected', Math.max(1, deadline - now())).catch(() => undefined);
      }
    }
    return false;
  }

  async function handle(cfg: CfgMessage): Promise<void> {
    const handled = (await opts.store.get(HANDLED_KEY)) as { version: number } | undefined;
    if (handled && cfg.version <= handled.version) return;
    const finish = async (r: CfgReportedMessage, inForce?: 'set' | 'clear') => {
      // what the next start re-applies: this one once confirmed; none after a rollback (the local config is back);
      // a refused one changed nothing, so the one before stays in force
      if (inForce === 'set') await opts.store.put(IN_FORCE_KEY, cfg, { sync: true } as never);
      if (inForce === 'clear') await opts.store.del(IN_FORCE_KEY);
      await opts.store.put(HANDLED_KEY, { version: cfg.version, applied: r.applied, ts: r.ts }, { sync: true } as never);
      if (!r.applied) await opts.outbox.enqueue({ topic: topics.cfgReported(box), class: 'critical', retain: true, payload: r as Record<string, unknown> });
    };
    log.info({ version: cfg.version }, 'applying desired config');
    try {
      await opts.apply(cfg);
    } catch (err) {
      if (isRoutineRefusal(err)) log.info({ version: cfg.version, code: err.code, reason: err.message.slice(0, 300) }, 'desired config refused');
      else log.warn({ err, version: cfg.version }, 'desired config refused');
      return finish(report(cfg.version, false, toErrorBody(err)));
    }
    const timeoutMs = opts.confirmTimeoutMs ?? 60_000;
    if (await confirm(cfg.version, now() + timeoutMs)) {
      log.info({ version: cfg.version }, 'desired config applied and the master link confirmed');
      return finish(report(cfg.version, true), 'set');
    }
    if (stopped) return;
    log.warn({ version: cfg.version, timeoutMs }, 'master link lost after applying config: rolling back');
    try {
      await opts.rollback(cfg);
    } catch (err) {
      log.error({ err, version: cfg.version }, 'config rollback failed');
    }
    return finish(report(cfg.version, false, { code: 'CONFIG_ROLLED_BACK', message: `the master link did not come back within ${timeoutMs} ms after applying version ${cfg.version}` }), 'clear');
  }

  /**
   * At start, before the uplink connects: applies the desired config in force when the box stopped, validated again
   * (the retained `cfg` it came in is not handled twice). One this box can no longer take (its local config
   * changed) is logged with its code and skipped, reported to the master as not applied, and not fatal.
   */
  async function restore(): Promise<void> {
    const cfg = (await opts.store.get(IN_FORCE_KEY)) as CfgMessage | undefined;
    if (!cfg) return;
    try {
      await opts.apply(cfg);
      log.info({ version: cfg.version }, 'desired config restored');
    } catch (err) {
      const body = toErrorBody(err);
      log.warn({ version: cfg.version, code: body.code, reason: body.message.slice(0, 300) }, 'desired config in force before the restart no longer applies: skipped, the local config is used');
      await opts.outbox.enqueue({ topic: topics.cfgReported(box), class: 'critical', retain: true,
        payload: report(cfg.version, false, { code: body.code, message: `not re-applied at start: ${body.message}` }) as unknown as Record<string, unknown> })
        .catch((e: unknown) => log.error({ err: toErrorBody(e) }, 'cfg/reported not stored'));
    }
  }

  return {
    /** Feed it the raw `cfg` payloads (CommandRouterOptions.onCfg). Versions are applied one at a time, in order. */
    onPayload(payload: Buffer): void {
      const decoded = decodePayload(CfgMessage, payload);
      if (!decoded.ok) {
        rejected.add(decoded.code);
        log.warn({ code: decoded.code, reason: decoded.message.slice(0, 300) }, 'invalid cfg payload');
        return;
      }
      chain = chain.then(() => handle(decoded.value)).catch((err) => log.error({ err }, 'desired config handling failed'));
    },
    restore,
    /** Resolves when everything received so far is handled (tests, shutdown). */
    idle(): Promise<void> { return chain; },
    stop(): void { stopped = true; },
    stats() { return { rejected: { ...rejected.counts } }; },
  };
}

export type DesiredConfig = ReturnType<typeof createDesiredConfig>;
