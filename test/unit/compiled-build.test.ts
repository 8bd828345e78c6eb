// cli/compiled.js: `kefu` runs dist/ only while no source file changed after the build began.
import assert from 'node:assert/strict';
import { mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { compiledEntry, ROOT_FILES, SOURCE_DIRS } from '../../cli/compiled.js';
import { tempDir } from '../helpers/tmp.js';

async function fakeCheckout(root: string, builtAt: number): Promise<void> {
  const before = new Date(builtAt - 60_000);
  await mkdir(join(root, 'daemon', 'web'), { recursive: true });
  for (const dir of SOURCE_DIRS) await mkdir(join(root, dir), { recursive: true });
  for (const f of [...ROOT_FILES, 'daemon/daemon.ts', 'daemon/web/index.html']) {
    await writeFile(join(root, f), 'x');
    await utimes(join(root, f), before, before);
  }
  for (const dir of [...SOURCE_DIRS, 'daemon/web']) await utimes(join(root, dir), before, before);
  await mkdir(join(root, 'dist', 'cli'), { recursive: true });
  await writeFile(join(root, 'dist', 'build.json'), JSON.stringify({ began: builtAt }));
}

test('a build newer than every source is used', async (t) => {
  const root = await tempDir(t, 'kefu-compiled-');
  await fakeCheckout(root, Date.now());
  assert.equal(compiledEntry(root), pathToFileURL(join(root, 'dist', 'cli', 'kefu.js')).href);
});

test('a source, asset or package.json edited after the build sends kefu back to the sources', async (t) => {
  for (const edited of ['daemon/daemon.ts', 'daemon/web/index.html', 'package.json']) {
    const root = await tempDir(t, 'kefu-compiled-');
    const builtAt = Date.now() - 10_000;
    await fakeCheckout(root, builtAt);
    await utimes(join(root, edited), new Date(), new Date());
    assert.equal(compiledEntry(root), null, edited);
  }
});

test('a source file added or removed after the build sends kefu back to the sources', async (t) => {
  const added = await tempDir(t, 'kefu-compiled-');
  await fakeCheckout(added, Date.now() - 10_000);
  await writeFile(join(added, 'daemon', 'new-thing.ts'), 'x');
  await utimes(join(added, 'daemon', 'new-thing.ts'), new Date(0), new Date(0)); // e.g. restored with its old time
  assert.equal(compiledEntry(added), null);
  const removed = await tempDir(t, 'kefu-compiled-');
  await fakeCheckout(removed, Date.now() - 10_000);
  await rm(join(removed, 'daemon', 'daemon.ts'));
  assert.equal(compiledEntry(removed), null);
});

test('no build, a build without its stamp or a broken stamp: the sources', async (t) => {
  const root = await tempDir(t, 'kefu-compiled-');
  await fakeCheckout(root, Date.now());
  await writeFile(join(root, 'dist', 'build.json'), '{"began":"soon"}');
  assert.equal(compiledEntry(root), null);
  await writeFile(join(root, 'dist', 'build.json'), 'not json');
  assert.equal(compiledEntry(root), null);
  await rm(join(root, 'dist', 'build.json'));
  assert.equal(compiledEntry(root), null);
  await rm(join(root, 'dist'), { recursive: true });
  assert.equal(compiledEntry(root), null);
});

test('a source folder missing (a partial checkout) is no crash: the sources', async (t) => {
  const root = await tempDir(t, 'kefu-compiled-');
  await fakeCheckout(root, Date.now());
  await rm(join(root, 'master'), { recursive: true });
  assert.equal(compiledEntry(root), null);
});
