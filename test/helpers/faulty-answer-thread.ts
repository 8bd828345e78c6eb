// A chat answering thread that misbehaves on request, for the threaded engine's tests: the question `__exit__`
// ends the thread, `__hang__` blocks it; every other message goes to the real thread's handler.
import { MessageChannel, parentPort } from 'node:worker_threads';
import { serveAnswers } from '../../plugins/chat/answerer/answer-thread.js';
import type { AnswerRequest } from '../../plugins/chat/answerer/protocol.js';

const real = new MessageChannel();
serveAnswers(real.port2);
real.port1.on('message', (m) => parentPort!.postMessage(m));
parentPort!.on('message', (m: AnswerRequest) => {
  if (m.kind === 'ask' && m.q === '__exit__') process.exit(3);
  if (m.kind === 'ask' && m.q === '__hang__') { const until = Date.now() + 60_000; while (Date.now() < until) { /* stuck */ } }
  real.port1.postMessage(m);
});
