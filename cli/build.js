#!/usr/bin/env node
// `npm run build`, also npm's `prepare` (so `npm install`/`npm ci` on a clone builds it): compiles the product
// folders to dist/ with tsc (tsconfig.build.json) and copies their other files (web pages, firmware profiles,
// samples) beside the JavaScript, so `kefu` runs plain JavaScript instead of transpiling TypeScript at every start.
// Builds into a scratch folder and swaps it in, so a `kefu` starting meanwhile sees the old build or none.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DIST, LAUNCHERS, ROOT, sourceFiles } from './compiled.js';

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
writeFileSync(join(scratch, 'build.json'), `${JSON.stringify({ began, node: process.version })}\n`);
rmSync(DIST, { recursive: true, force: true });
renameSync(scratch, DIST);
process.stdout.write(`kefu build: dist/ ready in ${((Date.now() - began) / 1000).toFixed(1)} s\n`);
