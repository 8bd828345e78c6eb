// Commands to boxes: publish `cmd/{name}` QoS 1 and match the `res/{id}` reply to its waiter
// (progress messages go to a callback; no reply in time → COMMAND_TIMEOUT).
import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { CommandError } from '../../protocol/errors.js';
import { PROTOCOL_VERSION, type CommandMessage, type ResultMessage } from '../../protocol/schemas.js';
import { topics } from '../../protocol/topics.js';
import type { FleetRegistry } from '../fleet/registry.js';

export interface CommandOptions {
  timeoutMs?: number;
  by?: string;
  onProgress?: (p: { progress: number; note?: string }) => void;
  signal?: AbortSignal;
  /** a box that is offline now: publish when it comes back, and wait up to timeoutMs in all for its answer.
   *  Without it, an offline box fails at once with BOX_OFFLINE. */
  wait?: boolean;
}

export interface CommandResult { id: string; box: string; ok: true; result: unknown }
export interface BroadcastResult { id: string; results: Array<{ box: string; ok: boolean; result?: unknown; error?: { code: string; message: string } }> }

interface Waiter {
  box: string | null; // null: a broadcast, any box may answer
  onResult(box: string, msg: ResultMessage): void;
}

export interface CommandApi {
  send(boxId: string, name: string, args?: unknown, opts?: CommandOptions): Promise<CommandResult>;
  /** Sends to every box of a region (or all boxes) and gathers the replies that arrive within the timeout. */
  broadcast(name: string, args?: unknown, opts?: CommandOptions & { region?: string }): Promise<BroadcastResult>;
  /** Called by ingestion for every valid `res/{id}`; false when nobody waits for it. */
  handleResult(ref: { region: string; box: string; cmdId: string }, msg: ResultMessage): boolean;
  pending(): number;
  /** Rejects every waiter (master shutting down). */
  stop(): void;
}

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export function createCommandApi(deps: { client: () => MqttClient; registry: FleetRegistry; log: Logger; defaultTimeoutMs: number; by?: string }): CommandApi {
  const waiters = new Map<string, Waiter>();
  const cancels = new Set<() => void>();

  function message(id: string, args: unknown, timeoutMs: number, by: string | undefined): CommandMessage {
    return { v: PROTOCOL_VERSION, id, ...(args === undefined ? {} : { args }), expiresAt: Date.now() + timeoutMs, by: by ?? deps.by ?? 'master' };
  }

  /** Registers a waiter, publishes, and settles on `settle` or timeout. */
  function run<T>(topic: string, msg: CommandMessage, timeoutMs: number, signal: AbortSignal | undefined,
    make: (finish: (err: Error | null, value?: T) => void) => Waiter, onTimeout: () => Error | T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout;
      const finish = (err: Error | null, value?: T) => {
        clearTimeout(timer);
        waiters.delete(msg.id);
        cancels.delete(cancel);
        signal?.removeEventListener('abort', abort);
        if (err) reject(err); else resolve(value as T);
      };
      const cancel = () => finish(new CommandError('MASTER_STOPPING', 'the master is stopping'));
      const abort = () => finish(new CommandError('COMMAND_ABORTED', 'command aborted'));
      timer = setTimeout(() => {
        const out = onTimeout();
        if (out instanceof Error) finish(out); else finish(null, out);
      }, timeoutMs);
      cancels.add(cancel);
      signal?.addEventListener('abort', abort, { once: true });
      waiters.set(msg.id, make(finish));
      deps.client().publish(topic, JSON.stringify(msg), { qos: 1 }, (err) => {
        if (err) finish(new CommandError('COMMAND_SEND_FAILED', `publish failed: ${err.message}`));
      });
    });
  }

  /** resolves when the box's birth arrives; rejects at the timeout, on abort, or when the master stops */
  function untilOnline(boxId: string, timeoutMs: number, signal: AbortSignal | undefined, name: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = (err?: Error) => {
        clearTimeout(timer);
        off();
        cancels.delete(cancel);
        signal?.removeEventListener('abort', abort);
        if (err) reject(err); else resolve();
      };
      const cancel = () => done(new CommandError('MASTER_STOPPING', 'the master is stopping'));
      const abort = () => done(new CommandError('COMMAND_ABORTED', 'command aborted'));
      const timer = setTimeout(() => done(new CommandError('COMMAND_TIMEOUT', `box ${boxId} did not come online within ${timeoutMs} ms to run ${name}`, { box: boxId, command: name })), timeoutMs);
      const off = deps.registry.onChange((b) => { if (b.id === boxId && b.online) done(); });
      cancels.add(cancel);
      signal?.addEventListener('abort', abort, { once: true });
      deps.log.info({ box: boxId, command: name }, 'command waits for the box to come online');
    });
  }

  return {
    async send(boxId, name, args, opts = {}) {
      if (!NAME.test(name)) throw new CommandError('COMMAND_NAME_INVALID', `command name "${name}" is not topic-safe`);
      const box = deps.registry.get(boxId);
      if (!box) throw new CommandError('BOX_UNKNOWN', `no box ${boxId} in the fleet`);
      deps.client(); // a master that is not started says so before anything about the box
      if (!box.online && !opts.wait) {
        const seen = box.lastSeen === null ? 'never connected' : `last seen ${new Date(box.lastSeen).toISOString()}`;
        throw new CommandError('BOX_OFFLINE', `box ${boxId} is offline (${seen}); to have it run ${name} when it is back within the timeout, send with wait (--wait)`, { box: boxId, command: name });
      }
      const began = Date.now();
      const total = opts.timeoutMs ?? deps.defaultTimeoutMs;
      // published once the box is back: a box that never connected has no session at the broker to queue it in
      if (!box.online) await untilOnline(boxId, total, opts.signal, name);
      const timeoutMs = Math.max(1, total - (Date.now() - began));
      const msg = message(randomUUID(), args, timeoutMs, opts.by);
      deps.log.info({ box: boxId, command: name, id: msg.id }, 'command sent');
      return run<CommandResult>(topics.command({ region: box.region, box: boxId }, name), msg, timeoutMs, opts.signal, (finish) => ({
        box: boxId,
        onResult(_from, res) {
          if ('progress' in res) { opts.onProgress?.({ progress: res.progress, note: res.note }); return; }
          if (res.ok) finish(null, { id: msg.id, box: boxId, ok: true, result: res.result });
          else finish(new CommandError(res.error.code, res.error.message, { box: boxId, command: name }));
        },
      }), () => new CommandError('COMMAND_TIMEOUT', `box ${boxId} did not answer ${name} within ${timeoutMs} ms`, { box: boxId, command: name }));
    },

    async broadcast(name, args, opts = {}) {
      if (!NAME.test(name)) throw new CommandError('COMMAND_NAME_INVALID', `command name "${name}" is not topic-safe`);
      const timeoutMs = opts.timeoutMs ?? deps.defaultTimeoutMs;
      const msg = message(randomUUID(), args, timeoutMs, opts.by);
      const answers: BroadcastResult['results'] = [];
      const targets = deps.registry.list().filter((b) => !opts.region || b.region === opts.region);
      const expected = new Set(targets.filter((b) => b.online).map((b) => b.id));
      // every box addressed is in the result: one that is offline now is said to be (its session may still get the
      // command later; an answer within the timeout replaces this entry), one that stays silent timed out
      const offline = new Map(targets.filter((b) => !b.online).map((b) => [b.id, {
        box: b.id, ok: false, error: { code: 'BOX_OFFLINE', message: `box ${b.id} is offline (${b.lastSeen === null ? 'never connected' : `last seen ${new Date(b.lastSeen).toISOString()}`})` },
      }]));
      const settled = () => ({ id: msg.id, results: [...answers, ...offline.values(), ...[...expected].map((box) => ({
        box, ok: false, error: { code: 'COMMAND_TIMEOUT', message: `box ${box} did not answer ${name} within ${timeoutMs} ms` },
      }))] });
      const topic = opts.region ? topics.regionBroadcast(opts.region, name) : topics.globalBroadcast(name);
      return run<BroadcastResult>(topic, msg, timeoutMs, opts.signal, (finish) => {
        // no box online: nothing to wait for (the command is still published for sessions the broker keeps)
        if (expected.size === 0) setImmediate(() => finish(null, settled()));
        return {
          box: null,
          onResult(from, res) {
            if ('progress' in res) return;
            if (opts.region && deps.registry.get(from)?.region !== opts.region) return;
            if (answers.some((r) => r.box === from)) return; // a repeated reply (QoS 1 redelivery)
            answers.push(res.ok ? { box: from, ok: true, result: res.result } : { box: from, ok: false, error: res.error });
            expected.delete(from);
            offline.delete(from);
            // every box that was online has answered: no need to wait out the timeout
            if (expected.size === 0) finish(null, settled());
          },
        };
      }, settled);
    },

    handleResult(ref, msg) {
      const w = waiters.get(ref.cmdId);
      // a box may only answer commands sent to it (the ACL already keeps it under its own root)
      if (!w || (w.box !== null && w.box !== ref.box) || msg.id !== ref.cmdId) return false;
      w.onResult(ref.box, msg);
      return true;
    },
    pending: () => waiters.size,
    stop() {
      for (const cancel of [...cancels]) cancel();
    },
  };
}
