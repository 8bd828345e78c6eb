// The chat AI's own thread. Segmenting, folding and scoring a question costs ~0.5 ms of CPU, and building the
// engine for a KB edit 0.3 s (tax KB) to 5 s (1,000 entries): done here, neither stalls the box's event loop, which
// carries every terminal's WebSocket, the store's commits and the uplink.
import type { MessagePort } from 'node:worker_threads';
import type { Jieba } from '@node-rs/jieba';
import { toErrorBody } from '../../../protocol/errors.js';
import { createAnswerEngine, type AnswerEngine } from '../ai/engine.js';
import { loadJieba } from '../ai/text.js';
import type { AnswerReply, AnswerRequest } from './protocol.js';

/** Answers the requests arriving on `port` (the thread's parentPort; thread-entry.mjs calls this). */
export function serveAnswers(port: MessagePort): void {
  // one segmenter for every build: each KB edit would otherwise load another copy of the dictionary (tens of MB)
  let jieba: Jieba | null = null;
  let engine: AnswerEngine | null = null;
  const handle = (m: AnswerRequest): AnswerReply => {
    try {
      if (m.kind === 'build') {
        engine = createAnswerEngine(m.kb, undefined, { jieba: (jieba ??= loadJieba()), phrasings: m.phrasings });
        return { kind: 'built', id: m.id };
      }
      if (!engine) return { kind: 'failed', id: m.id, error: { code: 'CHAT_NOT_STARTED', message: 'no knowledge base loaded yet' } };
      return { kind: 'answer', id: m.id, result: engine.ask(m.q) };
    } catch (err) {
      return { kind: 'failed', id: m.id, error: toErrorBody(err) };
    }
  };
  port.on('message', (m: AnswerRequest) => port.postMessage(handle(m)));
}
