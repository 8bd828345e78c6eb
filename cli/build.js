#!/usr/bin/env node
// `npm run build`, also npm's `prepare` (so `npm install`/`npm ci` on a clone builds it): compiles the product
// folders to dist/ with tsc (tsconfig.build.json), copies their other files (web pages, firmware profiles,
// samples) beside the JavaScript, then bundles the `kefu` program into dist/bundle/kefu.cjs with esbuild
// (cli/bundle.js) and saves V8's code cache of its start path beside it (cli/warm-up.js), so `kefu` loads one
// precompiled file instead of transpiling or resolving ~1,500 modules at every start.
// The per-file build stays: the bundle's modules find their pages, data and workers at their places in it.
// Builds into a scratch folder and swaps it in, so a `kefu` starting meanwhile sees the old build or none.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { BUNDLE_ENTRY, bundle } from './bundle.js';
import { DIST, LAUNCHERS, lockHash, ROOT, sourceFiles } from './compiled.js';
import { warmUp } from './warm-up.js';

let tsc;
try {
  tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
} catch {
  // a production install (`npm ci --omit=dev`) has no compiler: keep any existing build, else kefu runs from source
  process.stderr.write('kefu build: typescript is not installed; `kefu` runs the TypeScript sources through tsx (slower start)\n');
  process.exit(0);
}

const began = Date.now();
const scratch = `${DIST}.building-${process.pid}`;
rmSync(scratch, { recursive: true, force: true });
const compiled = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', scratch], { cwd: ROOT, stdio: 'inherit' });
if (compiled.status !== 0) {
  rmSync(scratch, { recursive: true, force: true });
  process.stderr.write(`kefu build: tsc failed (exit ${compiled.status ?? compiled.signal}); dist/ left as it was\n`);
  process.exit(1);
}
for (const file of sourceFiles()) {
  if (file.endsWith('.ts') || LAUNCHERS.includes(file)) continue;
  mkdirSync(dirname(join(scratch, file)), { recursive: true });
  copyFileSync(join(ROOT, file), join(scratch, file));
}
let entry = 'cli/kefu.js';
try {
  if (await bundle(scratch)) {
    entry = BUNDLE_ENTRY;
  } else {
    process.stderr.write('kefu build: esbuild is not installed; `kefu` runs the per-file build (slower start)\n');
  }
} catch (err) {
  rmSync(scratch, { recursive: true, force: true });
  process.stderr.write(`kefu build: bundling failed (${err.message}); dist/ left as it was\n`);
  process.exit(1);
}
writeFileSync(join(scratch, 'build.json'), `${JSON.stringify({ began, node: process.version, entry, lock: lockHash() })}\n`);
rmSync(DIST, { recursive: true, force: true });
renameSync(scratch, DIST);
// in place, not in the scratch folder: V8 keeps the path the code was compiled at for stack traces
const cached = entry === BUNDLE_ENTRY && warmUp(join(DIST, BUNDLE_ENTRY));
const made = entry === BUNDLE_ENTRY ? `, bundled${cached ? ' with its code cache' : ''}` : '';
process.stdout.write(`kefu build: dist/ ready in ${((Date.now() - began) / 1000).toFixed(1)} s${made}\n`);
