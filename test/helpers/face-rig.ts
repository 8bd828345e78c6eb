// The faceauth plugin under the real plugin host and LAN HTTP server, with a temp data folder, a demo
// identity file and every bus event recorded.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createEventBus } from '../../daemon/event-bus.js';
import { createHttpServer } from '../../daemon/http/server.js';
import { silentLogger } from '../../daemon/logger.js';
import { createMetrics } from '../../daemon/metrics.js';
import type { PluginCommands, PluginDefinition } from '../../daemon/plugin-api.js';
import { pluginContextFactory } from '../../daemon/plugins/context.js';
import { createPluginHost } from '../../daemon/plugins/host.js';
import { createRootStore } from '../../daemon/store.js';
import type { BusEvents } from '../../daemon/bus-events.js';
import faceauth from '../../plugins/faceauth/index.js';
import { tempDir } from './tmp.js';

export const IDENTITIES = [
  { account: 'alice', idNumber: '11010519491231002X', name: '张三', phone: '13800138000' },
  { account: 'bob', idNumber: '440524188001010014', name: '李四', phone: '13900139000' },
];

export async function faceRig(t: Parameters<typeof tempDir>[0], config: Record<string, unknown> = {}) {
  const dir = await tempDir(t, 'kefu-face-');
  const identityFile = join(dir, 'identities.json');
  await writeFile(identityFile, JSON.stringify({ accounts: IDENTITIES }));
  const log = silentLogger();
  const store = createRootStore(join(dir, 'store'));
  await store.open();
  const http = await createHttpServer({ host: '127.0.0.1', port: 0, bodyLimitBytes: 10 * 1024 * 1024, log });
  const commands = new Map<string, (args: unknown) => Promise<unknown>>();
  const registry: PluginCommands = { handle: (name, _s, handler) => { commands.set(name, async (a) => handler(a as never, { id: 'x', progress() {} })); } };
  const bus = createEventBus(() => {});
  const events: Array<{ event: string; payload: unknown }> = [];
  for (const e of ['archive.record', 'faceauth.enrolled', 'faceauth.deleted'] as Array<keyof BusEvents>) bus.on(e, 'test', (p) => { events.push({ event: e, payload: p }); });
  const def = faceauth as unknown as PluginDefinition;
  const host = createPluginHost({
    log, definitions: [def],
    configs: { faceauth: faceauth.config.parse({ identityFile, workers: 1, lockout: { maxFailures: 3, windowMs: 60_000, lockMs: 60_000, terminalMaxFailures: 50 }, otp: { ttlMs: 60_000, demoEcho: true }, ...config }) },
    timeouts: { startMs: 120_000, stopMs: 30_000 },
    restart: { retries: 0, minMs: 50, maxMs: 200 },
    onStatus: () => {},
    makeContext: pluginContextFactory({
      log, bus, store, metrics: createMetrics(),
      box: { id: 'hall-01', region: 'dd', dataDir: dir, version: 'test' },
      publishEvent: async () => ({ id: '1', seq: 1 }), telemetry: () => {}, commands: registry, http: http.pluginHttp, readSecret: async () => 's',
    }),
  });
  await host.setup();
  const url = await http.listen();
  await host.start();
  t.after(async () => { await host.stop(); await http.close(); await store.close(); });
  const post = async (path: string, body: unknown, terminal = 'kiosk-1') => {
    const res = await fetch(`${url}/p/faceauth${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-kefu-terminal': terminal }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  return { dir, url, host, bus, store, events, commands, post };
}
