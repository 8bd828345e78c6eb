// The last step of `npm run build`: starts the freshly bundled daemon once, for a moment, so that the code cache of
// its start path can be saved beside the bundle (cli/run-bundle.js). The box it starts is a throwaway: a temporary
// data folder, the LAN server on a free loopback port, a master on a loopback port nothing listens on.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheFile } from './run-bundle.js';

const RUN_BUNDLE = join(import.meta.dirname, 'run-bundle.js');
/** Long enough for the start path (config, store, HTTP server, plugins, link, uplink) on a loaded machine. */
const WARM_MS = 2500;

/** Returns the cache file's path, or null (with the reason on stderr) when none could be made. */
export function warmUp(bundle) {
  const dir = mkdtempSync(join(tmpdir(), 'kefu-warm-up-'));
  try {
    const config = join(dir, 'kefu.yaml');
    writeFileSync(config, [
      'box: { id: warm-up, region: build }',
      'master: { url: "mqtt://127.0.0.1:1" }', // port 1: refused at once, the uplink keeps retrying
      `dataDir: ${JSON.stringify(join(dir, 'data'))}`,
      'log: { level: silent }',
      'http: { host: 127.0.0.1, port: 0 }',
      'transports: [{ id: eth, kind: wired, localAddress: 127.0.0.1 }]',
      'plugins: { system: {} }',
      '',
    ].join('\n'));
    const run = spawnSync(process.execPath, [RUN_BUNDLE, bundle, String(WARM_MS), 'start', '-c', config], { encoding: 'utf8', timeout: 60_000 });
    if (run.status !== 0 || !existsSync(cacheFile(bundle))) {
      process.stderr.write(`kefu build: no code cache (warm-up exited with ${run.status ?? run.signal}: ${run.stderr.trim().split('\n').at(-1) ?? ''}); kefu starts without it\n`);
      rmSync(cacheFile(bundle), { force: true });
      return null;
    }
    return cacheFile(bundle);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
