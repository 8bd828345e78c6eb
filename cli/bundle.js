// The second half of `npm run build`: bundles the `kefu` program from the TypeScript sources into one file,
// dist/bundle/kefu.cjs, with esbuild, so that starting it reads one file instead of ~1,500 modules (the daemon's
// start was mostly module resolution and compilation). CommonJS, not ESM, because Node 20 can keep V8's compiled
// code of a script between runs (cli/run-bundle.js) but not of an ES module (module.enableCompileCache is Node 22).
// Lazy imports stay lazy: a command, plugin or transport is compiled and run only when a config or command asks
// for it (V8 compiles a function when it is first called; esbuild runs a module's body on its first import).
// Native addons and packages that find files beside their own code stay in node_modules (EXTERNAL).
import { readFile } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import { ROOT } from './compiled.js';

/** Where the bundle goes inside the build folder (moduleUrlPlugin counts on its depth). */
export const BUNDLE_DIR = 'bundle';
export const BUNDLE_ENTRY = `${BUNDLE_DIR}/kefu.cjs`;

/**
 * Packages left to node_modules: native addons (loaded by path), packages that read files or start workers relative
 * to their own code (__dirname, import.meta.url), and heavy ones only a plugin loads.
 */
export const EXTERNAL = [
  'serialport', '@serialport/*', 'level', 'classic-level', 'onnxruntime-node', 'sharp', '@img/*', 'node-ble', 'dbus-next',
  '@node-rs/*', 'werift', 'faceplugin-face-recognition-js', 'piscina', 'tsx', 'typescript', 'esbuild',
  // pino's transports, thread-stream: worker files beside the package (the daemon logs to fd 2 without them,
  // but keep the whole package so pino.transport() in any caller still finds its worker)
  'pino', 'thread-stream', 'pino-pretty',
  // fastify's JSON-schema compilers (~1 MB): loaded only if a route declares a JSON schema (daemon/http/server.ts)
  '@fastify/ajv-compiler', '@fastify/fast-json-stringify-compiler',
];

/**
 * Dependencies that a bundled package requires when it loads but uses only in a mode kefu does not use: a small
 * stand-in takes their place in the bundle and requires the real package from node_modules on first use. Each
 * stand-in matches how its importer uses the package.
 */
export const LAZY = [
  // @fastify/static lists files with glob only with `wildcard: false` (we keep the default)
  { importer: '@fastify/static', dependency: 'glob', exports: 'module.exports = { glob: (...a) => load().glob(...a) };' },
  // prom-client reads the active span only when a metric has exemplars enabled
  { importer: 'prom-client', dependency: '@opentelemetry/api', exports: 'module.exports = new Proxy({}, { get: (_, k) => load()[k] });' },
];

function lazyDependencyPlugin() {
  const inside = (path, pkg) => path.includes(`${sep}node_modules${sep}${pkg.split('/').join(sep)}${sep}`);
  return {
    name: 'kefu-lazy-dependency',
    setup(build) {
      for (const { importer, dependency } of LAZY) {
        const filter = new RegExp(`^${dependency.replace(/[/.@]/g, '\\$&')}$`);
        build.onResolve({ filter }, (args) => (inside(args.importer, importer) ? { path: dependency, namespace: 'kefu-lazy' } : undefined));
      }
      build.onResolve({ filter: /^kefu-external:/ }, (args) => ({ path: args.path.slice('kefu-external:'.length), external: true }));
      build.onLoad({ filter: /.*/, namespace: 'kefu-lazy' }, (args) => {
        const { exports } = LAZY.find((l) => l.dependency === args.path);
        return { contents: `let m; const load = () => (m ??= require(${JSON.stringify(`kefu-external:${args.path}`)}));\n${exports}\n`, loader: 'js' };
      });
    },
  };
}

/**
 * Our modules find their web pages, data files and workers with `new URL('./x', import.meta.url)`. In a bundle that
 * URL would be the bundle's; rewrite it to the module's own place in the per-file build (dist/<path>.js, where
 * build.js copies those files), computed from the bundle's URL so the installed folder can move.
 */
function moduleUrlPlugin() {
  return {
    name: 'kefu-module-url',
    setup(build) {
      build.onLoad({ filter: /\.[cm]?ts$/ }, async (args) => {
        const contents = await readFile(args.path, 'utf8');
        if (args.path.includes(`${sep}node_modules${sep}`) || !/\bimport\.meta\.(url|dirname|filename)\b/.test(contents)) return undefined;
        const built = relative(ROOT, args.path).split(sep).join('/').replace(/\.([cm]?)ts$/, '.$1js');
        const url = `new URL(${JSON.stringify(`../${built}`)}, import.meta.url).href`;
        const shim = `const __kefuModuleUrl = ${url}; const __kefuModulePath = __kefuFileURLToPath(__kefuModuleUrl);\n`
          + `import { fileURLToPath as __kefuFileURLToPath } from 'node:url'; import { dirname as __kefuDirname } from 'node:path';\n`;
        const rewritten = contents
          .replace(/\bimport\.meta\.url\b/g, '__kefuModuleUrl')
          .replace(/\bimport\.meta\.filename\b/g, '__kefuModulePath')
          .replace(/\bimport\.meta\.dirname\b/g, '__kefuDirname(__kefuModulePath)');
        return { contents: shim + rewritten, loader: 'ts' };
      });
    },
  };
}

/**
 * Bundles cli/program.ts (exporting main) into `outDir`/bundle/kefu.cjs. Returns null when esbuild is not installed
 * (the per-file build still runs), else esbuild's metafile (inputs and outputs). Throws on a bundling error.
 */
export async function bundle(outDir) {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    return null;
  }
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: ['cli/program.ts'],
    outfile: `${outDir}/${BUNDLE_ENTRY}`,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    // strict like the ES modules it is made of; import.meta.url (of bundled ES modules) is the bundle's own URL
    banner: { js: "'use strict';\nconst __kefuBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
    define: { 'import.meta.url': '__kefuBundleUrl' },
    external: EXTERNAL,
    plugins: [moduleUrlPlugin(), lazyDependencyPlugin()],
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
  });
  return result.metafile;
}
