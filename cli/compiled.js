// Where the compiled build of kefu lives (dist/, written by cli/build.js) and whether it is current: plain
// JavaScript, because cli/bin.js asks it before any TypeScript loader is registered.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = join(ROOT, 'dist');
/** The folders the product runs from; tsconfig.build.json compiles the same ones (firmware-profiles is data only). */
export const SOURCE_DIRS = ['cli', 'daemon', 'transports', 'plugins', 'master', 'protocol', 'firmware-profiles'];
/** Files outside those folders that the build also depends on (the version comes from package.json). */
export const ROOT_FILES = ['package.json', 'tsconfig.json', 'tsconfig.build.json'];
/** The launchers stay in cli/ and are not part of the build. */
export const LAUNCHERS = ['cli/bin.js', 'cli/build.js', 'cli/bundle.js', 'cli/compiled.js', 'cli/run-bundle.js', 'cli/warm-up.js'];
/** The programs a stamp may name: the bundle (cli/bundle.js), or the per-file build when esbuild was missing. */
export const ENTRIES = ['bundle/kefu.cjs', 'cli/kefu.js'];
export const STAMP = join(DIST, 'build.json');
/**
 * npm's lockfile: `npm install <pkg>` and `npm update` change it without rebuilding (npm runs `prepare` only for a
 * bare `npm install`/`npm ci`), and the bundle carries copies of the packages. Its time alone does not tell:
 * `npm prune --omit=dev` (the install steps) rewrites it unchanged, so a newer lockfile is compared by content.
 */
export const LOCK_FILE = 'package-lock.json';

/** The SHA-256 of the lockfile under `root`, or null when there is none. */
export function lockHash(root = ROOT) {
  try {
    return createHash('sha256').update(readFileSync(join(root, LOCK_FILE))).digest('hex');
  } catch {
    return null;
  }
}

/** Every file under the source folders, as paths relative to `root`; with `dirs`, the folders too. */
export function sourceFiles(root = ROOT, { dirs = false } = {}) {
  const out = [];
  const walk = (rel) => {
    if (dirs) out.push(rel);
    for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
      const path = join(rel, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.isFile()) out.push(path);
    }
  };
  for (const dir of SOURCE_DIRS) walk(dir);
  return out;
}

/**
 * The URL of the compiled `kefu` program (the bundle, or the per-file build the stamp names), or null when there is
 * no build or a source file or folder changed after the build began (a dev checkout being edited, a `git pull`
 * without `npm run build`), or the lockfile's content did (packages installed since): then the sources are the truth.
 */
export function compiledEntry(root = ROOT) {
  let began;
  let entry;
  let lock;
  try {
    ({ began, entry = 'cli/kefu.js', lock } = JSON.parse(readFileSync(join(root, 'dist', 'build.json'), 'utf8')));
  } catch {
    return null;
  }
  if (typeof began !== 'number' || !ENTRIES.includes(entry)) return null;
  try {
    // a folder's time changes when a file in it is added, removed or renamed (an editor's atomic save)
    for (const file of [...ROOT_FILES, ...sourceFiles(root, { dirs: true })]) if (statSync(join(root, file)).mtimeMs > began) return null;
  } catch {
    return null; // a folder or file vanished under us: trust only the sources
  }
  let lockChanged = 0;
  try {
    lockChanged = statSync(join(root, LOCK_FILE)).mtimeMs;
  } catch {
    // no lockfile (another package manager): nothing to compare
  }
  if (lockChanged > began && lockHash(root) !== lock) return null;
  return pathToFileURL(join(root, 'dist', entry)).href;
}
