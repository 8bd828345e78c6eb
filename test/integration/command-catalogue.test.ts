// The box's whole command catalogue, built as the daemon builds it (router, daemon commands, every plugin's setup
// through the real plugin context), checked against README's command table (review s7 #11: the catalogue was
// undocumented). `KEFU_WRITE_README=1 npm test -- test/integration/command-catalogue.test.ts` rewrites the table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { argsSignature, createCommandRouter, type CatalogueEntry } from '../../daemon/commands/index.js';
import { controlRequest } from '../../daemon/control/client.js';
import { controlSocketPath } from '../../daemon/control/protocol.js';
import { createControlServer } from '../../daemon/control/server.js';
import { registerControlMethods, registerDaemonCommands, type DaemonApiDeps } from '../../daemon/daemon-api.js';
import { createEventBus } from '../../daemon/event-bus.js';
import { loadPlugins, pluginNames } from '../../daemon/builtins.js';
import { silentLogger } from '../../daemon/logger.js';
import { createMetrics } from '../../daemon/metrics.js';
import { pluginContextFactory } from '../../daemon/plugins/context.js';
import { createRootStore, sublevel } from '../../daemon/store.js';
import { tempDir } from '../helpers/tmp.js';

const README = fileURLToPath(new URL('../../README.md', import.meta.url));
const BEGIN = '<!-- commands:begin -->';
const END = '<!-- commands:end -->';
/** every plugin with every command it can offer (faceauth.export only when the operator allows it) */
const PLUGIN_CONFIG: Record<string, unknown> = { faceauth: { allowTemplateExport: true } };

function markdownTable(entries: CatalogueEntry[]): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  return [
    '| command | args | what it does |',
    '|---|---|---|',
    ...entries.map((e) => `| \`${e.name}\` | \`${cell(argsSignature(e.args))}\` | ${cell(e.description)}${e.aliases ? ` (also \`${e.aliases.join('`, `')}\`)` : ''} |`),
  ].join('\n');
}

test('commands.list covers every command with a description; README\'s table is the catalogue; both spellings work on the control socket', { timeout: 120_000 }, async (t) => {
  const dir = await tempDir(t, 'kefu-catalogue-');
  const store = createRootStore(`${dir}/db`);
  await store.open();
  t.after(() => store.close());
  const log = silentLogger();
  const router = createCommandRouter({
    box: { region: 'r', box: 'b' }, log, store: sublevel(store, 'commands'), allow: ['*', '!shell.*', '!modem.at'],
    link: { subscribe() {}, on: () => () => {} }, outbox: { enqueue: async () => { throw new Error('no outbox in this test'); } },
  });
  const makeContext = pluginContextFactory({
    log, bus: createEventBus(() => {}), store, metrics: createMetrics(), readSecret: async () => '',
    box: { id: 'b', region: 'r', dataDir: dir, version: '0.0.0-test' },
    uplink: () => ({ publish: async () => ({ id: 'x', seq: 0 }), telemetry: () => {} }),
    commands: (plugin) => router.scoped(plugin),
    http: () => ({ route: () => {}, ws: () => {}, static: () => {} }),
  });
  for (const def of await loadPlugins(pluginNames)) {
    const config = def.config.parse(PLUGIN_CONFIG[def.name] ?? {});
    await def.setup(makeContext(def, config, () => true));
  }
  const calls: string[] = [];
  const deps = {
    status: () => ({ daemon: 'status' }),
    host: { list: () => { calls.push('host.list'); return []; }, restart: async (n: string) => { calls.push(`restart ${n}`); } },
    manager: { status: () => ({ active: 'eth' }), switchTo: async () => ({}), clearForce: async () => {} },
    outbox: { stats: () => ({}) }, uplink: { stats: () => ({}) }, router,
  } as unknown as DaemonApiDeps;
  registerDaemonCommands(router, deps);

  const catalogue = await router.runLocal('commands.list', undefined) as CatalogueEntry[];
  const names = catalogue.map((e) => e.name);
  for (const n of ['commands.list', 'daemon.status', 'plugin.list', 'transport.switch', 'system.info', 'chat.stats', 'chat.kb.reload', 'video.broadcast', 'faceauth.export']) {
    assert.ok(names.includes(n), `${n} in the catalogue`);
  }
  assert.deepEqual(catalogue.filter((e) => !e.description).map((e) => e.name), [], 'every command has a description');
  assert.ok(catalogue.every((e) => e.args.type === 'object'), 'every command takes an args object');
  assert.deepEqual(catalogue.find((e) => e.name === 'daemon.status')?.aliases, ['status']);

  const table = markdownTable(catalogue);
  const readme = await readFile(README, 'utf8');
  const [before, rest] = readme.split(BEGIN);
  assert.ok(rest?.includes(END), `README.md has the markers ${BEGIN} … ${END}`);
  const current = rest.slice(0, rest.indexOf(END)).trim();
  if (process.env.KEFU_WRITE_README === '1' && current !== table) await writeFile(README, `${before}${BEGIN}\n${table}\n${rest.slice(rest.indexOf(END))}`);
  else assert.equal(current, table, 'README\'s command table differs from the registry: run KEFU_WRITE_README=1 npm test -- test/integration/command-catalogue.test.ts');

  // the control socket answers the documented names and the old local ones; args left out are fine there too
  const control = createControlServer({ path: controlSocketPath(dir), log });
  registerControlMethods(control, deps);
  await control.start();
  t.after(() => control.stop());
  for (const m of ['status', 'daemon.status']) assert.deepEqual(await controlRequest(dir, m), { daemon: 'status' });
  for (const m of ['plugins.list', 'plugin.list']) await controlRequest(dir, m);
  await controlRequest(dir, 'plugin.restart', { name: 'chat' });
  await assert.rejects(controlRequest(dir, 'plugins.restart'), (e: Error & { code?: string }) => e.code === 'ARGS_INVALID' && /plugin\.restart takes args \{name: string\}/.test(e.message));
  assert.deepEqual(calls, ['host.list', 'host.list', 'restart chat']);
  assert.deepEqual((await controlRequest<CatalogueEntry[]>(dir, 'commands.list')).map((e) => e.name), names);
  // and the router runs the local names as aliases (over MQTT too: see commands.test.ts)
  assert.deepEqual(await router.runLocal('transports.status', undefined), { active: 'eth' });
});
