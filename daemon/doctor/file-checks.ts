// One line per file or folder the config names (TLS certificate and key, the chat KB, PIN files, model folders…),
// found by the `fileRef` marks in each section's schema: what `kefu start` or a plugin would fail on later.
import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import type { z } from 'zod';
import { findFileRefs, type FileRefUse } from '../config/file-ref.js';
import { describePath } from '../config/issue-path.js';
import type { LoadedConfig } from '../config/load.js';
import { RootConfig } from '../config/schema.js';
import type { Check } from './check.js';

/** Settings with a check of their own that reads the content (credentials, CA): not listed twice. */
const OWN_CHECK = new Set(['master.passwordFile', 'master.caFile']);

const codeOf = (err: unknown) => (err as NodeJS.ErrnoException).code ?? (err as Error).message;

/**
 * What is wrong with the file a setting names, as `cannot read /etc/kefu/kb.json (ENOENT)`; undefined when the
 * box can use it. A secret must also hold something: an empty one only fails later, somewhere less clear.
 */
export async function fileRefProblem(use: Pick<FileRefUse, 'file' | 'kind'>): Promise<string | undefined> {
  try {
    const s = await stat(use.file);
    if (use.kind === 'dir') {
      if (!s.isDirectory()) return `${use.file} is not a folder`;
      await access(use.file, constants.R_OK | constants.X_OK);
      return undefined;
    }
    if (s.isDirectory()) return `${use.file} is a folder, not a file`;
    if (use.kind === 'secret' && (await readFile(use.file, 'utf8')).trim() === '') return `${use.file} is empty`;
    await access(use.file, constants.R_OK);
    return undefined;
  } catch (err) {
    return `cannot read ${use.file} (${codeOf(err)})`;
  }
}

/** Every marked setting of the loaded config, named as the user reads it (`transports[5g].modem.pinFile`). */
export function configFileRefs(config: LoadedConfig, schemas: { transports: Record<string, z.ZodType>; plugins: Record<string, z.ZodType> }): Array<FileRefUse & { key: string }> {
  const shown = { ...config.root, transports: config.transports, plugins: config.plugins };
  const uses = [
    ...findFileRefs(RootConfig, config.root),
    ...config.transports.flatMap((t, i) => (schemas.transports[t.kind] ? findFileRefs(schemas.transports[t.kind], t, ['transports', i]) : [])),
    ...Object.entries(config.plugins).flatMap(([name, cfg]) => (schemas.plugins[name] ? findFileRefs(schemas.plugins[name], cfg, ['plugins', name]) : [])),
  ];
  return uses.map((u) => ({ ...u, key: describePath(u.path, shown) })).filter((u) => !OWN_CHECK.has(u.key));
}

export function fileChecks(uses: Array<FileRefUse & { key: string }>): Check[] {
  return uses.map((u) => ({
    name: u.key,
    async run() {
      const problem = await fileRefProblem(u);
      if (!problem) return { ok: true, detail: `${u.file} is ${u.kind === 'dir' ? 'a readable folder' : 'readable'}` };
      const what = u.kind === 'dir' ? 'the folder' : u.kind === 'secret' ? 'the file (chmod 600)' : 'the file';
      return { ok: false, detail: `${u.key}: ${problem}`, fix: `create ${what} at ${u.file}, or correct ${u.key} in the config${u.hint ? `; ${u.hint}` : ''}` };
    },
  }));
}
