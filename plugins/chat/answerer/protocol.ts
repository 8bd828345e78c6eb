// Messages between the chat plugin and its answering thread (answer-thread.ts). Every request carries an id; the
// thread handles requests one at a time in arrival order, so an ask sent after a build is answered by that build.
import type { AskResult } from '../ai/engine.js';
import type { KnowledgeBase } from '../ai/kb-schema.js';
import type { PhrasingPack } from '../ai/phrasings.js';

export type AnswerBody =
  | { kind: 'build'; kb: KnowledgeBase; phrasings: PhrasingPack[] }
  | { kind: 'ask'; q: string };
export type AnswerRequest = AnswerBody & { id: number };

export type AnswerReply =
  | { kind: 'built'; id: number }
  | { kind: 'answer'; id: number; result: AskResult }
  | { kind: 'failed'; id: number; error: { code: string; message: string } };
