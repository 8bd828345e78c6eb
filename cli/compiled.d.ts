// Types of cli/compiled.js (plain JavaScript so that cli/bin.js can run it before any TypeScript loader).
export declare const ROOT: string;
export declare const DIST: string;
export declare const SOURCE_DIRS: string[];
export declare const ROOT_FILES: string[];
export declare const LAUNCHERS: string[];
export declare const ENTRIES: string[];
export declare const STAMP: string;
export declare const LOCK_FILE: string;
/** The SHA-256 of the lockfile under `root` (default ROOT), or null when there is none. */
export declare function lockHash(root?: string): string | null;
/** Every file under the source folders, relative to `root` (default ROOT); with `dirs`, the folders too. */
export declare function sourceFiles(root?: string, opts?: { dirs?: boolean }): string[];
/** The URL of the program the build under `root` names (dist/bundle/kefu.cjs or dist/cli/kefu.js) when it is
 * current, else null. */
export declare function compiledEntry(root?: string): string | null;
