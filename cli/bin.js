#!/usr/bin/env node
// Entry point of the `kefu` command. Runs the compiled build (dist/bundle/kefu.cjs with its code cache, made by
// `npm install` or `npm run build`; dist/cli/ when the build had no esbuild) when it is current, else the
// TypeScript sources through tsx: a dev checkout with edits, or an install without typescript. KEFU_FROM_SOURCE=1
// forces the sources, and so does a process that already loads TypeScript (`node --import tsx …`, e.g. a test
// preloading a source module): it must share module instances with the sources.
import { fileURLToPath } from 'node:url';
import { compiledEntry } from './compiled.js';

const tsxLoaded = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((a) => /\btsx\b/.test(a));
const entry = process.env.KEFU_FROM_SOURCE || tsxLoaded ? null : compiledEntry();
if (entry?.endsWith('.cjs')) {
  const { runBundle } = await import('./run-bundle.js');
  await runBundle(fileURLToPath(entry));
} else if (entry) {
  await import(entry);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./kefu.ts');
}
