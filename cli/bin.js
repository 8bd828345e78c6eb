#!/usr/bin/env node
// Entry point of the `kefu` command. Runs the compiled build (dist/, made by `npm install` or `npm run build`) when
// it is current, else the TypeScript sources through tsx: a dev checkout with edits, or an install without
// typescript. KEFU_FROM_SOURCE=1 forces the sources.
import { compiledEntry } from './compiled.js';

const entry = process.env.KEFU_FROM_SOURCE ? null : compiledEntry();
if (entry) {
  await import(entry);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./kefu.ts');
}
