// Where the compiled build of kefu lives (dist/, written by cli/build.js) and whether it is current: plain
// JavaScript, because cli/bin.js asks it before any TypeScript loader is registered.
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
export const LAUNCHERS = ['cli/bin.js', 'cli/build.js', 'cli/compiled.js'];
export const STAMP = join(DIST, 'build.json');

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
 * The URL of the compiled `kefu` program, or null when there is no build or a source file or folder changed after
 * the build began (a dev checkout being edited, a `git pull` without `npm run build`): then the sources are the truth.
 */
export function compiledEntry(root = ROOT) {
  let began;
  try {
    began = JSON.parse(readFileSync(join(root, 'dist', 'build.json'), 'utf8')).began;
  } catch {
    return null;
  }
  if (typeof began !== 'number') return null;
  try {
    // a folder's time changes when a file in it is added, removed or renamed (an editor's atomic save)
    for (const file of [...ROOT_FILES, ...sourceFiles(root, { dirs: true })]) if (statSync(join(root, file)).mtimeMs > began) return null;
  } catch {
    return null; // a folder or file vanished under us: trust only the sources
  }
  return pathToFileURL(join(root, 'dist', 'cli', 'kefu.js')).href;
}
