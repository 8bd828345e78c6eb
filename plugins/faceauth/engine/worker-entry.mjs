// Plain-JS entry of a pool thread: worker threads do not inherit the parent's TypeScript loader (neither
// `--import tsx` nor tsx's register()), so in the compiled build (dist/) load worker.js beside this file, and in
// a source checkout load the TypeScript worker through tsx's scoped import.
import { existsSync } from 'node:fs';

const compiled = new URL('./worker.js', import.meta.url);
const mod = existsSync(compiled)
  ? await import(compiled.href)
  : await (await import('tsx/esm/api')).tsImport('./worker.ts', import.meta.url);
export default mod.default;
