// Inbound `cmd/{name}`: validate, run each id at most once, refuse expired / not allowed / unknown, answer on
// `res/{cmdId}` through the outbox (class critical, so results survive a dropped link). Also routes `cfg`.
import type { Logger } from 'pino';
import { z } from 'zod';
import { CommandMessage, PROTOCOL_VERSION, type ResultMessage } from '../../protocol/schemas.js';
import { decodePayload, MAX_PAYLOAD_BYTES, RejectCounter } from '../../protocol/decode.js';
import { CommandError, KefuError, toErrorBody } from '../../protocol/errors.js';
import { boxSubscriptions, parseTopic, topics, type BoxRef } from '../../protocol/topics.js';
import type { CommandMeta, PluginCommands } from '../plugin-api.js';
import type { Store } from '../store.js';
import type { Outbox } from '../outbox/index.js';
import { compileAllowList } from './allow-list.js';
import { argsJsonSchema, parseArgs, type CatalogueEntry, type CommandInfo } from './command-catalogue.js';
import { createCommandLedger } from './command-ledger.js';

/** What the router needs from the uplink (a test fakes it in a few lines). */
export interface CommandLink {
  subscribe(filters: string[]): void;
  on(event: 'message', fn: (m: { topic: string; payload: Buffer }) => void): () => void;
}

export interface CommandRouterOptions {
  box: BoxRef;
  log: Logger;
  link: CommandLink;
  outbox: Pick<Outbox, 'enqueue'>;
  /** a sublevel of its own: command ids and their results */
  store: Store;
  /** glob patterns of allowed command names, e.g. ['system.*', 'chat.*'] */
  allow: readonly string[];
  /** how long command ids are remembered (must exceed the master's longest expiry) */
  idRetentionMs?: number;
  handlerTimeoutMs?: number;
  maxPayloadBytes?: number;
  /** receives the decoded retained `cfg` payloads (see desired-config.ts) */
  onCfg?: (payload: Buffer) => void;
  now?: () => number;
}

type Handler = { schema: z.ZodType; fn: (args: unknown, meta: CommandMeta) => unknown; description: string };

const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;
/** coded errors that still mean something went wrong here, not a refusal */
const FAULT_CODES = new Set(['INTERNAL', 'TIMEOUT', 'COMMAND_TIMEOUT']);

/** A refusal with a code (bad args, a config the box cannot apply): routine, an info line; anything else is a fault. */
export const isRoutineRefusal = (err: unknown): err is KefuError => err instanceof KefuError && !FAULT_CODES.has(err.code);

export function createCommandRouter(opts: CommandRouterOptions) {
  const { box, log, outbox } = opts;
  const now = opts.now ?? Date.now;
  const isAllowed = compileAllowList(opts.allow);
  const ledger = createCommandLedger({ store: opts.store, retentionMs: opts.idRetentionMs ?? 7 * 24 * 3600_000, now });
  const handlers = new Map<string, Handler>();
  /** other spelling → documented name (the control socket's `status` → `daemon.status`) */
  const aliases = new Map<string, string>();
  const running = new Set<string>();
  const rejected = new RejectCounter();
  const counters = { executed: 0, duplicates: 0, refused: 0 };
  let disposeMessages: (() => void) | null = null;
  let pruneTimer: NodeJS.Timeout | null = null;
  const active = new Set<Promise<void>>();

  const result = (id: string, body: { result: unknown } | { error: { code: string; message: string } }): ResultMessage =>
    'error' in body ? { v: PROTOCOL_VERSION, id, ok: false, error: body.error, ts: now() } : { v: PROTOCOL_VERSION, id, ok: true, result: body.result ?? null, ts: now() };

  async function send(msg: ResultMessage): Promise<void> {
    await outbox.enqueue({ topic: topics.result(box, msg.id), class: 'critical', payload: msg as Record<string, unknown> });
  }

  /** A malformed command whose id is still readable gets an answer; everything else is only counted. */
  function readableId(payload: Buffer): string | null {
    if (payload.length > (opts.maxPayloadBytes ?? MAX_PAYLOAD_BYTES)) return null;
    try {
      const id = (JSON.parse(payload.toString()) as { id?: unknown } | null)?.id;
      return typeof id === 'string' && ID_RE.test(id) ? id : null;
    } catch { return null; }
  }

  const unknown = (name: string) => `no command ${name} on this box; it has ${[...handlers.keys()].sort().join(', ')} (commands.list gives each one's description and args)`;

  async function evaluate(asked: string, cmd: CommandMessage): Promise<ResultMessage> {
    // the allow-list speaks of the documented names: an alias is allowed exactly when its command is
    const name = aliases.get(asked) ?? asked;
    const refuse = (code: string, message: string) => {
      counters.refused++;
      log.info({ name, id: cmd.id, code, reason: message.slice(0, 300) }, 'command refused');
      return result(cmd.id, { error: { code, message } });
    };
    if (cmd.expiresAt !== undefined && cmd.expiresAt < now()) return refuse('COMMAND_EXPIRED', `command expired at ${new Date(cmd.expiresAt).toISOString()}`);
    if (!isAllowed(name)) return refuse('COMMAND_NOT_ALLOWED', `command ${name} is not on this box's allow-list`);
    const h = handlers.get(name);
    if (!h) return refuse('UNKNOWN_COMMAND', unknown(name));
    const args = parseArgs(name, h.schema, cmd.args);
    if (!args.ok) return refuse('ARGS_INVALID', args.message);
    await ledger.begin(cmd.id);
    counters.executed++;
    const meta: CommandMeta = {
      id: cmd.id,
      by: cmd.by,
      progress(fraction, note) {
        const p = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
        outbox.enqueue({ topic: topics.result(box, cmd.id), class: 'critical', payload: { v: PROTOCOL_VERSION, id: cmd.id, progress: p, ...(note ? { note } : {}), ts: now() } })
          .catch((err) => log.warn({ err, id: cmd.id }, 'progress not queued'));
      },
    };
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeoutMs = opts.handlerTimeoutMs ?? 300_000;
      const out = await Promise.race([
        Promise.resolve().then(() => h.fn(args.args, meta)),
        new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new CommandError('COMMAND_TIMEOUT', `command ${name} took longer than ${timeoutMs} ms`)), timeoutMs); }),
      ]);
      return result(cmd.id, { result: out });
    } catch (err) {
      // a handler's refusal with a code (BAD_ARGS, UNKNOWN_CALL…) is the master asking for something this box
      // says no to: one info line, no stack. Anything else is a fault of ours and keeps its stack.
      if (isRoutineRefusal(err)) log.info({ name, id: cmd.id, code: err.code, reason: err.message }, 'command refused');
      else log.warn({ err, name, id: cmd.id }, 'command failed');
      return result(cmd.id, { error: toErrorBody(err) });
    } finally {
      clearTimeout(timer);
    }
  }

  async function onCommand(name: string, payload: Buffer): Promise<void> {
    const decoded = decodePayload(CommandMessage, payload, opts.maxPayloadBytes ?? MAX_PAYLOAD_BYTES);
    if (!decoded.ok) {
      rejected.add(decoded.code);
      log.warn({ name, code: decoded.code, reason: decoded.message.slice(0, 300) }, 'invalid command payload');
      const id = readableId(payload);
      if (id) await send(result(id, { error: { code: 'PAYLOAD_INVALID', message: decoded.message.slice(0, 1000) } }));
      return;
    }
    const cmd = decoded.value;
    if (running.has(cmd.id)) { counters.duplicates++; return; }
    running.add(cmd.id);
    try {
      const prior = await ledger.get(cmd.id);
      if (prior) {
        counters.duplicates++;
        log.info({ id: cmd.id, name }, 'duplicate command: re-sending the stored result');
        if (prior.s === 'done') return await send(prior.r);
        // it was running when the box stopped: never run it a second time
        const r = result(cmd.id, { error: { code: 'COMMAND_INTERRUPTED', message: 'the box restarted while this command ran' } });
        await ledger.finish(cmd.id, r);
        return await send(r);
      }
      const r = await evaluate(name, cmd);
      await ledger.finish(cmd.id, r);
      await send(r);
    } finally {
      running.delete(cmd.id);
    }
  }

  function onMessage({ topic, payload }: { topic: string; payload: Buffer }): void {
    const t = parseTopic(topic);
    if (t?.kind === 'cfg') { opts.onCfg?.(payload); return; }
    if (t?.kind !== 'command') { rejected.add('TOPIC_UNEXPECTED'); return; }
    const p = onCommand(t.name, payload)
      .catch((err) => { rejected.add('INTERNAL'); log.error({ err, topic }, 'command handling failed'); })
      .finally(() => active.delete(p));
    active.add(p);
  }

  const router = {
    handle<S extends z.ZodType>(name: string, schema: S, handler: (args: z.infer<S>, meta: CommandMeta) => unknown, info: CommandInfo = {}): void {
      if (handlers.has(name) || aliases.has(name)) throw new KefuError('COMMAND_DUPLICATE', `command ${name} is already registered`);
      handlers.set(name, { schema, fn: handler as Handler['fn'], description: info.description ?? '' });
    },

    /** Accepts `alias` as another spelling of the registered command `name`. */
    alias(alias: string, name: string): void {
      if (handlers.has(alias) || aliases.has(alias)) throw new KefuError('COMMAND_DUPLICATE', `command ${alias} is already registered`);
      if (!handlers.has(name)) throw new KefuError('UNKNOWN_COMMAND', `cannot alias ${alias} to ${name}: ${name} is not registered`);
      aliases.set(alias, name);
    },

    /** Every registered command, sorted by name: what `commands.list` answers. */
    catalogue(): CatalogueEntry[] {
      return [...handlers.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, h]) => {
        const other = [...aliases.entries()].filter(([, n]) => n === name).map(([a]) => a);
        return { name, description: h.description, args: argsJsonSchema(h.schema), ...(other.length ? { aliases: other } : {}), allowed: isAllowed(name) };
      });
    },

    /**
     * Runs a registered command for the local CLI (the control socket, root on the box): no id ledger, no
     * allow-list (those guard what the master may do), same argument checks and errors as a remote command.
     */
    async runLocal(asked: string, args: unknown): Promise<unknown> {
      const name = aliases.get(asked) ?? asked;
      const h = handlers.get(name);
      if (!h) throw new CommandError('UNKNOWN_COMMAND', unknown(name));
      const parsed = parseArgs(name, h.schema, args);
      if (!parsed.ok) throw new CommandError('ARGS_INVALID', parsed.message);
      counters.executed++;
      return h.fn(parsed.args, { id: `local-${now()}`, by: 'local', progress: () => undefined });
    },

    async start(): Promise<void> {
      if (disposeMessages) return;
      disposeMessages = opts.link.on('message', onMessage);
      opts.link.subscribe(boxSubscriptions(box));
      await ledger.prune().catch((err) => log.warn({ err }, 'command ledger prune failed'));
      pruneTimer = setInterval(() => { ledger.prune().catch((err) => log.warn({ err }, 'command ledger prune failed')); }, 3600_000);
      pruneTimer.unref();
    },

    /** Stops listening and waits (time-boxed) for running commands to store their results. */
    async stop(timeoutMs = 5000): Promise<void> {
      disposeMessages?.();
      disposeMessages = null;
      if (pruneTimer) clearInterval(pruneTimer);
      pruneTimer = null;
      await Promise.race([Promise.allSettled([...active]), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
    },

    /** The `commands` a plugin gets: it may only register names under its own prefix (`{plugin}.{verb}`). */
    scoped(plugin: string): PluginCommands {
      return {
        handle(name, schema, handler, info) {
          if (!name.startsWith(`${plugin}.`)) throw new KefuError('COMMAND_NAME_INVALID', `plugin ${plugin} may only register ${plugin}.* commands, not ${name}`);
          router.handle(name, schema, handler, info);
        },
      };
    },

    stats() { return { ...counters, rejected: { ...rejected.counts }, running: running.size }; },
    pruneNow: () => ledger.prune(),
  };
  router.handle('commands.list', z.object({}).strict(), () => router.catalogue(), {
    description: "this box's commands: name, description, args as JSON Schema, other spellings, and whether the allow-list lets the master run it",
  });
  return router satisfies PluginCommands & Record<string, unknown>;
}

export type CommandRouter = ReturnType<typeof createCommandRouter>;
