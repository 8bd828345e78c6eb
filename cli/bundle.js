// The second half of `npm run build`: bundles the `kefu` program from the TypeScript sources into a few ESM files
// under dist/bundle/ with esbuild, so that starting it reads a handful of files instead of ~1,500 modules (the
// daemon's start was mostly module resolution and compilation). Code splitting keeps every lazy import lazy: each
// command, plugin and transport is its own chunk, loaded only when a config or command asks for it.
// Native addons and packages that find files beside their own code stay in node_modules (EXTERNAL).
import { readFile } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import { ROOT } from './compiled.js';

/** Where the bundle goes inside the build folder; every output file sits directly in it (see moduleUrlPlugin). */
export const BUNDLE_DIR = 'bundle';
export const BUNDLE_ENTRY = `${BUNDLE_DIR}/kefu.js`;

/**
 * Packages left to node_modules: native addons (loaded by path), packages that read files or start workers relative
 * to their own code (__dirname, import.meta.url), and heavy ones only a plugin loads (their chunk would be no faster).
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
 * URL would be the chunk's; rewrite it to the module's own place in the per-file build (dist/<path>.js, where
 * build.js copies those files), computed from the chunk's URL so the installed folder can move.
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
 * Bundles cli/kefu.ts into `outDir`/bundle/. Returns null when esbuild is not installed (the per-file build still
 * runs), else esbuild's metafile (inputs and outputs). Throws on a bundling error.
 */
export async function bundle(outDir, overrides = {}) {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    return null;
  }
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: { kefu: 'cli/kefu.ts' },
    outdir: `${outDir}/${BUNDLE_DIR}`,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // CommonJS packages inside an ESM bundle still call require() for node's own modules
    banner: { js: "import { createRequire as __kefuCreateRequire } from 'node:module'; const require = __kefuCreateRequire(import.meta.url);" },
    chunkNames: '[name]-[hash]',
    external: EXTERNAL,
    plugins: [moduleUrlPlugin(), lazyDependencyPlugin()],
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
    ...overrides,
  });
  return result.metafile;
}
