// Questions on a terminal or a pipe. Lines are read through one async iterator opened before the first question,
// so answers pasted or typed ahead (several lines at once) wait in its buffer instead of being dropped between
// two `rl.question()` calls, and a closed input answers '' instead of rejecting.
import { createInterface } from 'node:readline';

export interface Prompter {
  ask(question: string): Promise<string>;
  close(): void;
}

export function createPrompter(input: NodeJS.ReadableStream = process.stdin, output: NodeJS.WritableStream = process.stdout): Prompter {
  const rl = createInterface({ input, output, terminal: (input as { isTTY?: boolean }).isTTY === true });
  const lines = rl[Symbol.asyncIterator]();
  let ended = false;
  return {
    async ask(question) {
      if (ended) return '';
      rl.setPrompt(question);
      rl.prompt(true);
      const next = await lines.next();
      if (next.done) { ended = true; output.write('\n'); return ''; }
      // a piped answer is not echoed by a terminal: show it, so the transcript reads like the terminal's
      if (!(input as { isTTY?: boolean }).isTTY) output.write(`${next.value}\n`);
      return next.value.trim();
    },
    close() { rl.close(); },
  };
}
