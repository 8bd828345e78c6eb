// The chat AI as the plugin uses it: the engine runs on a thread of its own (answer-thread.ts) and this is its
// handle on the event loop. A thread that dies or hangs is replaced on the next question, rebuilt from the KB it
// last had; meanwhile questions fail with CHAT_AI_UNAVAILABLE, which the router turns into a handoff to a human.
import { Worker } from 'node:worker_threads';
import type { Logger } from '../../../daemon/logger.js';
import { PluginError } from '../../../protocol/errors.js';
import type { AskResult } from '../ai/engine.js';
import type { KnowledgeBase } from '../ai/kb-schema.js';
import type { PhrasingPack } from '../ai/phrasings.js';
import type { AnswerBody, AnswerReply } from './protocol.js';

export interface ThreadedEngineOptions {
  log: Logger;
  phrasings: PhrasingPack[];
  /** an ask waits behind a build in progress, so this covers building a large KB too */
  askTimeoutMs?: number;
  buildTimeoutMs?: number;
  /** after the thread died, how long questions fail at once before a new thread is tried */
  respawnAfterMs?: number;
  /** the thread's script (tests use another) */
  entry?: URL;
}

export interface ThreadedEngine {
  /** the KB the answers come from (the last one loaded) */
  readonly kb: KnowledgeBase;
  /** builds the engine for this KB; rejects (CHAT_KB_BUILD_FAILED) and keeps the previous KB if it cannot */
  load(kb: KnowledgeBase): Promise<void>;
  ask(q: string): Promise<AskResult>;
  stop(): Promise<void>;
}

const ENTRY = new URL('./thread-entry.mjs', import.meta.url);
const unavailable = (why: string) => new PluginError('CHAT_AI_UNAVAILABLE', 'chat', `the chat AI is unavailable: ${why}`);

export function createThreadedEngine(opts: ThreadedEngineOptions): ThreadedEngine {
  const { log, askTimeoutMs = 15_000, buildTimeoutMs = 120_000, respawnAfterMs = 5_000 } = opts;
  let worker: Worker | null = null;
  let current: KnowledgeBase | null = null;
  let diedAt = -Infinity;
  let stopped = false;
  let nextId = 1;
  const pending = new Map<number, { resolve(r: AnswerReply): void; reject(e: Error): void; timer: NodeJS.Timeout }>();

  function failAll(err: Error) {
    for (const p of pending.values()) { clearTimeout(p.timer); p.reject(err); }
    pending.clear();
  }

  function spawn(): Worker {
    const w = new Worker(opts.entry ?? ENTRY);
    w.on('message', (r: AnswerReply) => {
      const p = pending.get(r.id);
      if (!p) return;
      pending.delete(r.id);
      clearTimeout(p.timer);
      p.resolve(r);
    });
    w.on('error', (err) => log.error({ err: { code: 'CHAT_AI_THREAD_FAILED', message: err.message } }, 'chat AI thread failed'));
    w.once('exit', (code) => {
      if (worker !== w) return; // replaced or stopped on purpose
      worker = null;
      diedAt = performance.now();
      log.error({ code }, 'chat AI thread exited; a new one starts with the next question');
      failAll(unavailable(`its thread exited (${code})`));
    });
    w.unref();
    return w;
  }

  function request(body: AnswerBody, timeoutMs: number): Promise<AnswerReply> {
    const w = worker!;
    const id = nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(unavailable(`no reply in ${timeoutMs} ms`));
        // a thread that does not answer is stuck: replace it rather than queue more behind it
        if (worker === w) {
          log.error({ code: 'CHAT_AI_STUCK', timeoutMs }, 'chat AI thread gave no reply; replaced');
          worker = null;
          failAll(unavailable('its thread was stuck'));
          void w.terminate();
        }
      }, timeoutMs);
      pending.set(id, { resolve, reject, timer });
      w.postMessage({ ...body, id });
    });
  }

  const build = (kb: KnowledgeBase) => request({ kind: 'build', kb, phrasings: opts.phrasings }, buildTimeoutMs);

  /** a live thread holding `current`, spawning and rebuilding one if needed */
  async function ready(): Promise<void> {
    if (stopped) throw new PluginError('CHAT_NOT_STARTED', 'chat', 'chat plugin is not started');
    if (worker) return;
    if (!current) throw new PluginError('CHAT_NOT_STARTED', 'chat', 'no knowledge base loaded yet');
    if (performance.now() - diedAt < respawnAfterMs) throw unavailable('its thread died moments ago');
    worker = spawn();
    const r = await build(current);
    if (r.kind === 'failed') throw unavailable(r.error.message);
  }

  return {
    get kb() {
      if (!current) throw new PluginError('CHAT_NOT_STARTED', 'chat', 'no knowledge base loaded yet');
      return current;
    },
    async load(kb) {
      stopped = false;
      const previous = current;
      // the next questions are answered from this KB (requests are handled in order), so it is current from now on
      current = kb;
      worker ??= spawn();
      const r = await build(kb).catch((err: Error) => ({ kind: 'failed', id: 0, error: { code: 'CHAT_AI_UNAVAILABLE', message: err.message } }) as const);
      if (r.kind === 'failed') {
        current = previous;
        throw new PluginError('CHAT_KB_BUILD_FAILED', 'chat', `the knowledge base could not be loaded: ${r.error.message}`);
      }
    },
    async ask(q) {
      await ready();
      const r = await request({ kind: 'ask', q }, askTimeoutMs);
      if (r.kind === 'failed') throw new PluginError(r.error.code, 'chat', r.error.message);
      if (r.kind !== 'answer') throw unavailable(`unexpected reply ${r.kind}`);
      return r.result;
    },
    async stop() {
      stopped = true;
      const w = worker;
      worker = null;
      failAll(new PluginError('CHAT_NOT_STARTED', 'chat', 'chat plugin stopped'));
      if (w) await w.terminate();
    },
  };
}
