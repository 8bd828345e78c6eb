// Plain-JS entry of the answering thread: worker threads do not inherit the parent's TypeScript loader, so in the
// compiled build (dist/) load answer-thread.js beside this file, and in a source checkout the TypeScript through
// tsx's scoped import.
import { existsSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';

const compiled = new URL('./answer-thread.js', import.meta.url);
const mod = existsSync(compiled)
  ? await import(compiled.href)
  : await (await import('tsx/esm/api')).tsImport('./answer-thread.ts', import.meta.url);
mod.serveAnswers(parentPort);
