import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { createEventBus } from '../../daemon/event-bus.js';
import { createHttpServer } from '../../daemon/http/server.js';
import { silentLogger } from '../../daemon/logger.js';
import { createMetrics } from '../../daemon/metrics.js';
import { definePlugin, type PluginCommands, type PluginDefinition } from '../../daemon/plugin-api.js';
import { pluginContextFactory } from '../../daemon/plugins/context.js';
import { createPluginHost, type PluginRecord } from '../../daemon/plugins/host.js';
import { createRootStore } from '../../daemon/store.js';
import { tempDir } from '../helpers/tmp.js';
import { ConfigError } from '../../protocol/errors.js';

async function rig(t: Parameters<typeof tempDir>[0], definitions: PluginDefinition[], configs: Record<string, unknown>) {
  const dir = await tempDir(t);
  const log = silentLogger();
  const store = createRootStore(`${dir}/db`);
  await store.open();
  const http = await createHttpServer({ host: '127.0.0.1', port: 0, bodyLimitBytes: 1e6, log });
  const commands = new Map<string, (args: unknown) => unknown>();
  const registry: PluginCommands = { handle: (name, _schema, handler) => { commands.set(name, (a) => handler(a as never, { id: 'x', progress() {} })); } };
  const events: Array<{ plugin: string; type: string; data: unknown }> = [];
  const statuses: PluginRecord[] = [];
  const host = createPluginHost({
    log, definitions, configs,
    timeouts: { startMs: 300, stopMs: 300 },
    restart: { retries: 5, minMs: 50, maxMs: 200 },
    onStatus: (r) => statuses.push(r),
    makeContext: pluginContextFactory({
      log, bus: createEventBus(() => {}), store, metrics: createMetrics(),
      box: { id: 'hall-01', region: 'dd', dataDir: dir, version: 'test' },
      uplink: (plugin) => ({
        publish: async (type, data) => { events.push({ plugin, type, data }); return { id: String(events.length), seq: events.length }; },
        telemetry: () => {},
      }),
      commands: () => registry, http: http.pluginHttp, readSecret: async () => 's',
    }),
  });
  await host.setup();
  const url = await http.listen();
  t.after(async () => { await host.stop(); await http.close(); await store.close(); });
  return { host, url, commands, events, statuses };
}

const ok = definePlugin({
  name: 'good', apiVersion: 1, config: z.object({ greeting: z.string().default('hi') }),
  setup(ctx) {
    ctx.http.route({ method: 'GET', url: '/hello', handler: async () => ({ greeting: ctx.config.greeting }) });
    ctx.commands.handle('good.echo', z.object({ x: z.number() }), async (args) => {
      await ctx.uplink.publish('echoed', args);
      return args;
    });
    return { start() {}, stop() {} };
  },
});
const throwsInStart = definePlugin({
  name: 'crashy', apiVersion: 1, config: z.object({}),
  setup() { return { start() { throw new Error('boom'); }, stop() {} }; },
});
const hangsInStop = definePlugin({
  name: 'sticky', apiVersion: 1, config: z.object({}),
  setup() { return { start() {}, stop: () => new Promise<void>(() => {}) }; },
});
let attempts = 0;
const flaky = definePlugin({
  name: 'flaky', apiVersion: 1, config: z.object({}), dependsOn: ['good'],
  setup() { return { start() { if (++attempts < 3) throw new Error(`attempt ${attempts}`); }, stop() {} }; },
});

test('a plugin that throws in start is failed and retried; the others run; routes and commands work', async (t) => {
  const r = await rig(t, [ok, throwsInStart, hangsInStop, flaky], { good: ok.config.parse({}), crashy: {}, sticky: {}, flaky: {} });
  await r.host.start();
  const st = r.host.statuses();
  assert.equal(st.good, 'running');
  assert.equal(st.crashy, 'failed');
  assert.equal(st.sticky, 'running');
  assert.equal((await (await fetch(`${r.url}/p/good/hello`)).json()).greeting, 'hi');
  assert.deepEqual(await r.commands.get('good.echo')!({ x: 1 }), { x: 1 });
  assert.deepEqual(r.events[0], { plugin: 'good', type: 'echoed', data: { x: 1 } });
  // flaky fails twice, then the backoff restart brings it up
  for (let i = 0; i < 50 && r.host.statuses().flaky !== 'running'; i++) await sleep(50);
  assert.equal(r.host.statuses().flaky, 'running');
  assert.ok(r.host.list().find((p) => p.name === 'crashy')!.error?.message.includes('boom'));
});

test('a plugin hanging in stop is time-boxed and marked failed; its routes answer 503', async (t) => {
  const r = await rig(t, [ok, hangsInStop], { good: ok.config.parse({}), sticky: {} });
  await r.host.start();
  const began = Date.now();
  await r.host.stopOne('sticky');
  assert.ok(Date.now() - began < 2000);
  assert.equal(r.host.statuses().sticky, 'failed');
  assert.match(r.host.list().find((p) => p.name === 'sticky')!.error!.code, /TIMEOUT/);
  await r.host.stopOne('good');
  const res = await fetch(`${r.url}/p/good/hello`);
  assert.equal(res.status, 503);
  assert.equal((await res.json()).error.code, 'PLUGIN_NOT_RUNNING');
  await assert.rejects(async () => r.commands.get('good.echo')!({ x: 1 }), /not running/);
  const restarted = await r.host.restart('good');
  assert.equal((await fetch(`${r.url}/p/good/hello`)).status, 200);
  assert.equal(restarted.status, 'running');
  assert.equal(restarted.restarts, 1, 'a restart asked for is counted');
  await assert.rejects(r.host.restart('ghost'), /no plugin named/);
});

test('the shared web assets and the box page are served', async (t) => {
  const r = await rig(t, [ok], { good: {} });
  for (const path of ['/_common/kefu.css', '/_common/i18n.js', '/_common/uplot/uPlot.iife.min.js', '/favicon.ico', '/']) {
    const res = await fetch(`${r.url}${path}`);
    assert.equal(res.status, 200, path);
  }
});

test('a plugin whose start fails on its configuration goes to failed at once, with that reason, and is not retried', async (t) => {
  let configStarts = 0;
  let otherStarts = 0;
  const misconfigured = definePlugin({
    name: 'kbless', apiVersion: 1, config: z.object({}),
    setup: () => ({ async start() { configStarts++; throw new ConfigError(['kb: cannot read /etc/kefu/kb.json: ENOENT']); }, async stop() {} }),
  });
  const broken = definePlugin({
    name: 'broken', apiVersion: 1, config: z.object({}),
    setup: () => ({ async start() { otherStarts++; throw new Error('socket went away'); }, async stop() {} }),
  });
  const r = await rig(t, [misconfigured, broken], { kbless: {}, broken: {} });
  await r.host.start();
  // the rig's backoff is 50–200 ms with 5 retries: long enough for several restarts of the other plugin
  for (let i = 0; i < 60 && otherStarts < 4; i++) await sleep(50);
  await sleep(300);
  assert.ok(otherStarts >= 4, `an ordinary start failure is still retried with backoff (${otherStarts} starts)`);
  assert.equal(configStarts, 1, 'a configuration error is not retried');
  const rec = r.host.list().find((p) => p.name === 'kbless')!;
  assert.equal(rec.status, 'failed');
  assert.equal(rec.restarts, 0);
  assert.equal(rec.error?.code, 'CONFIG_INVALID');
  assert.match(rec.error?.message ?? '', /kb: cannot read \/etc\/kefu\/kb.json/);
  // fixing the config and asking for a restart still works
  await assert.rejects(r.host.restart('kbless'), { code: 'CONFIG_INVALID' });
  assert.equal(configStarts, 2);
});
