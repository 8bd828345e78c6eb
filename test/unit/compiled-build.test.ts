// cli/compiled.js: `kefu` runs dist/ only while no source file changed after the build began.
import assert from 'node:assert/strict';
import { mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { compiledEntry, LOCK_FILE, lockHash, ROOT_FILES, SOURCE_DIRS } from '../../cli/compiled.js';
import { tempDir } from '../helpers/tmp.js';

async function fakeCheckout(root: string, builtAt: number, entry?: string, lock?: string | null): Promise<void> {
  const before = new Date(builtAt - 60_000);
  await mkdir(join(root, 'daemon', 'web'), { recursive: true });
  for (const dir of SOURCE_DIRS) await mkdir(join(root, dir), { recursive: true });
  for (const f of [...ROOT_FILES, 'daemon/daemon.ts', 'daemon/web/index.html']) {
    await writeFile(join(root, f), 'x');
    await utimes(join(root, f), before, before);
  }
  for (const dir of [...SOURCE_DIRS, 'daemon/web']) await utimes(join(root, dir), before, before);
  await mkdir(join(root, 'dist', 'cli'), { recursive: true });
  await writeFile(join(root, 'dist', 'build.json'), JSON.stringify({ began: builtAt, entry, lock }));
}

test('a build newer than every source is used', async (t) => {
  const root = await tempDir(t, 'kefu-compiled-');
  await fakeCheckout(root, Date.now());
  assert.equal(compiledEntry(root), pathToFileURL(join(root, 'dist', 'cli', 'kefu.js')).href);
});

test('the stamp names the program: the bundle, or the per-file build of a build without esbuild', async (t) => {
  const bundled = await tempDir(t, 'kefu-compiled-');
  await fakeCheckout(bundled, Date.now(), 'bundle/kefu.cjs');
  assert.equal(compiledEntry(bundled), pathToFileURL(join(bundled, 'dist', 'bundle', 'kefu.cjs')).href);
  const perFile = await tempDir(t, 'kefu-compiled-');
  await fakeCheckout(perFile, Date.now(), 'cli/kefu.js');
  assert.equal(compiledEntry(perFile), pathToFileURL(join(perFile, 'dist', 'cli', 'kefu.js')).href);
  const elsewhere = await tempDir(t, 'kefu-compiled-');
  await fakeCheckout(elsewhere, Date.now(), '../../tmp/x.js');
  assert.equal(compiledEntry(elsewhere), null, 'a stamp naming anything else is not run');
});

test('a lockfile changed after the build (packages installed since) sends kefu back to the sources; rewritten as it was (npm prune), not', async (t) => {
  const root = await tempDir(t, 'kefu-compiled-');
  const builtAt = Date.now() - 10_000;
  await writeFile(join(root, LOCK_FILE), '{"packages":{"node_modules/a":{"version":"1.0.0"}}}');
  await fakeCheckout(root, builtAt, 'bundle/kefu.cjs', lockHash(root));
  await utimes(join(root, LOCK_FILE), new Date(builtAt - 60_000), new Date(builtAt - 60_000));
  assert.ok(compiledEntry(root), 'lockfile older than the build');
  await utimes(join(root, LOCK_FILE), new Date(), new Date());
  assert.ok(compiledEntry(root), 'lockfile rewritten with the same content');
  await writeFile(join(root, LOCK_FILE), '{"packages":{"node_modules/a":{"version":"1.0.1"}}}');
  assert.equal(compiledEntry(root), null, 'lockfile with other packages');
  const none = await tempDir(t, 'kefu-compiled-');
  await fakeCheckout(none, Date.now() - 10_000, 'bundle/kefu.cjs', null);
  assert.ok(compiledEntry(none), 'no lockfile at all');
  await writeFile(join(none, LOCK_FILE), '{}');
  assert.equal(compiledEntry(none), null, 'a lockfile that appeared after the build');
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
