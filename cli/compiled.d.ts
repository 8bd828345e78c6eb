// Types of cli/compiled.js (plain JavaScript so that cli/bin.js can run it before any TypeScript loader).
export declare const ROOT: string;
export declare const DIST: string;
export declare const SOURCE_DIRS: string[];
export declare const ROOT_FILES: string[];
export declare const LAUNCHERS: string[];
export declare const STAMP: string;
export declare function sourceFiles(): string[];
export declare function compiledEntry(): string | null;
