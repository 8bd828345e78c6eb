// Runs the bundled `kefu` program (dist/bundle/kefu.cjs) with V8's code cache: the compiled code of the bundle's
// start path, saved by the build beside the bundle, spares compiling it again at every start (what Node 22's
// module.enableCompileCache does; Node 20 has only vm.Script's cachedData, and only for scripts). A cache V8 does
// not accept (another Node version, other V8 flags) is ignored and the bundle is compiled as usual.
// `node cli/run-bundle.js <bundle> <ms> <kefu args…>` (the build's warm-up) runs the program, writes the cache of
// what was compiled after <ms>, then stops the program with SIGTERM.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import vm from 'node:vm';

export const cacheFile = (bundle) => `${bundle}.cache`;

/** Runs the bundle's main(argv); with `writeCacheAfterMs`, saves the code cache that long after the start. */
export async function runBundle(bundle, { argv = process.argv, writeCacheAfterMs } = {}) {
  const source = readFileSync(bundle, 'utf8');
  let cachedData;
  try {
    cachedData = writeCacheAfterMs === undefined ? readFileSync(cacheFile(bundle)) : undefined;
  } catch {
    cachedData = undefined; // no cache: compile as usual
  }
  const script = new vm.Script(Module.wrap(source), {
    filename: bundle,
    cachedData,
    // a dynamic import() left in the bundle loads like one in any module (where this Node has the option)
    ...(vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER ? { importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER } : {}),
  });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
  if (writeCacheAfterMs !== undefined) {
    setTimeout(() => {
      // whole or not at all: a `kefu` starting meanwhile must not read half a cache
      writeFileSync(`${cacheFile(bundle)}.${process.pid}`, script.createCachedData());
      renameSync(`${cacheFile(bundle)}.${process.pid}`, cacheFile(bundle));
      process.kill(process.pid, 'SIGTERM');
    }, writeCacheAfterMs);
  }
  await module.exports.main(argv);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [bundle, ms, ...args] = process.argv.slice(2);
  await runBundle(bundle, { argv: [process.argv[0], fileURLToPath(import.meta.url), ...args], writeCacheAfterMs: Number(ms) });
}
