// The shipped build: `npm run build` (npm's `prepare`) in a copy of the checkout compiles dist/, bundles the
// program into dist/bundle/kefu.cjs with a code cache V8 accepts, and `kefu start` then runs the bundle with no
// TypeScript loader at all (tsx is not even installed in the copy) up to `state` online and the LAN page's assets
// (found through the modules' own places); a lazily loaded command finds its data files and native addons too. Without esbuild the per-file build runs;
// without typescript (`npm ci --omit=dev`) the build step changes nothing and exits 0.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { copyFile, cp, mkdir, readdir, readFile, realpath, symlink, writeFile } from 'node:fs/promises';
import Module from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { compiledEntry, ROOT, ROOT_FILES, SOURCE_DIRS } from '../../cli/compiled.js';
import { StateMessage } from '../../protocol/schemas.js';
import { writeBoxConfig } from '../helpers/daemon-process.js';
import { tempDir } from '../helpers/tmp.js';

/** A copy of the checkout's product folders whose node_modules links every installed package but `without`. */
async function copyCheckout(dir: string, without: string[]): Promise<void> {
  for (const d of SOURCE_DIRS) await cp(join(ROOT, d), join(dir, d), { recursive: true });
  for (const f of ROOT_FILES) await copyFile(join(ROOT, f), join(dir, f));
  const modules = await realpath(join(ROOT, 'node_modules'));
  await mkdir(join(dir, 'node_modules'));
  for (const name of await readdir(modules)) {
    if (!without.includes(name) && name !== '.bin') await symlink(join(modules, name), join(dir, 'node_modules', name));
  }
}

test('the compiled build runs `kefu start` to online without tsx', { timeout: 300_000 }, async (t) => {
  const dir = await tempDir(t, 'kefu-build-');
  await copyCheckout(dir, ['tsx']);
  const build = spawnSync(process.execPath, [join(dir, 'cli', 'build.js')], { cwd: dir, encoding: 'utf8', timeout: 240_000 });
  assert.equal(build.status, 0, build.stderr);
  for (const f of ['cli/kefu.js', 'daemon/daemon.js', 'daemon/web-common/kefu.css', 'daemon/web/index.html', 'plugins/chat/kb-sample.json', 'plugins/faceauth/engine/worker-entry.mjs', 'build.json']) {
    assert.ok(existsSync(join(dir, 'dist', f)), `dist/${f}`);
  }
  assert.ok(!existsSync(join(dir, 'dist', 'cli', 'bin.js')), 'the launcher stays out of dist/');
  assert.ok((await readdir(join(dir, 'dist', 'firmware-profiles'))).length > 0, 'firmware profiles copied');
  const bundle = join(dir, 'dist', 'bundle', 'kefu.cjs');
  assert.equal(compiledEntry(dir), pathToFileURL(bundle).href, 'the fresh bundle is current');
  assert.match(build.stdout, /with its code cache/, build.stdout + build.stderr);
  const script = new vm.Script(Module.wrap(await readFile(bundle, 'utf8')), {
    filename: bundle, cachedData: await readFile(`${bundle}.cache`), importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  assert.equal(script.cachedDataRejected, false, 'V8 accepts the code cache');

  const aedes = await Aedes.createBroker();
  const server = createServer(aedes.handle).listen(0, '127.0.0.1');
  t.after(() => new Promise<void>((r) => aedes.close(() => server.close(() => r()))));
  await once(server, 'listening');
  const url = `mqtt://127.0.0.1:${(server.address() as { port: number }).port}`;
  const watcher = await mqtt.connectAsync(url, { clientId: 'build-watcher' });
  t.after(() => watcher.endAsync(true));
  const box = 'built-box';
  await watcher.subscribeAsync(`kefu/v1/test/${box}/state`);
  const online = new Promise<void>((resolve) => watcher.on('message', (_t, p) => {
    if (p.length && StateMessage.safeParse(JSON.parse(p.toString())).data?.online) resolve();
  }));

  const file = await writeBoxConfig(dir, { box, region: 'test', url, password: 'unused' });
  const child = spawn(process.execPath, [join(dir, 'cli', 'bin.js'), 'start', '-c', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = once(child, 'exit').then(([code]) => { throw new Error(`kefu start exited with ${code}: ${stderr.slice(-2000)}`); });
  await Promise.race([online, exited]);
  const lan = /LAN (http:\/\/\S+)/.exec(stdout)?.[1];
  assert.ok(lan, `the LAN URL is printed: ${stdout}`);
  for (const asset of ['/_common/kefu.css', '/_common/uplot/uPlot.iife.min.js', '/']) {
    const res: Response = await fetch(`${lan}${asset}`);
    assert.equal(res.status, 200, `${asset} is served`);
  }
  child.kill('SIGTERM');
  const [code] = await once(child, 'exit');
  assert.equal(code, 0, stderr);

  // a command in its own chunk: the chat engine with its sample knowledge base and jieba's dictionary
  const ask = spawnSync(process.execPath, [join(dir, 'cli', 'bin.js'), 'ai', 'ask', '发票开错了怎么办', '--json'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(ask.status, 0, ask.stderr);
  assert.equal(JSON.parse(ask.stdout).decision, 'answer', ask.stdout);
});

test('without esbuild the build is the per-file one and `kefu` runs it', { timeout: 300_000 }, async (t) => {
  const dir = await tempDir(t, 'kefu-build-');
  await copyCheckout(dir, ['tsx', 'esbuild', '@esbuild']);
  const build = spawnSync(process.execPath, [join(dir, 'cli', 'build.js')], { cwd: dir, encoding: 'utf8', timeout: 240_000 });
  assert.equal(build.status, 0, build.stderr);
  assert.match(build.stderr, /esbuild is not installed/);
  assert.ok(!existsSync(join(dir, 'dist', 'bundle')), 'no bundle');
  assert.equal(compiledEntry(dir), pathToFileURL(join(dir, 'dist', 'cli', 'kefu.js')).href);
  const help = spawnSync(process.execPath, [join(dir, 'cli', 'bin.js'), 'start', '--help'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /Usage: kefu start/);
});

test('without typescript the build step leaves everything as it was and exits 0', { timeout: 60_000 }, async (t) => {
  const dir = await tempDir(t, 'kefu-build-');
  await copyCheckout(dir, ['typescript', '@typescript']);
  const build = spawnSync(process.execPath, [join(dir, 'cli', 'build.js')], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
  assert.equal(build.status, 0, build.stderr);
  assert.match(build.stderr, /typescript is not installed/);
  assert.ok(!existsSync(join(dir, 'dist')), 'no dist/');
  assert.equal(compiledEntry(dir), null);
});

test('a process started with `--import tsx` keeps to the sources even beside a current build', { timeout: 60_000 }, async (t) => {
  const dir = await tempDir(t, 'kefu-build-');
  await copyCheckout(dir, []);
  // a stand-in build that is current but must not run
  await mkdir(join(dir, 'dist', 'cli'), { recursive: true });
  await writeFile(join(dir, 'dist', 'cli', 'kefu.js'), "process.stdout.write('from dist\\n');\n");
  await writeFile(join(dir, 'dist', 'build.json'), JSON.stringify({ began: Date.now() + 60_000 }));
  assert.ok(compiledEntry(dir));
  const run = (args: string[]) => spawnSync(process.execPath, [...args, join(dir, 'cli', 'bin.js'), '--help'], { cwd: dir, encoding: 'utf8', timeout: 45_000 });
  assert.equal(run([]).stdout.trim(), 'from dist');
  const viaTsx = run(['--import', 'tsx']);
  assert.match(viaTsx.stdout, /Usage: kefu/, viaTsx.stderr);
});
