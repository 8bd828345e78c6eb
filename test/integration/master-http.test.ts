// The HTTP side of the master: token, JSON API, live feed, CLI client, and the dashboard in a real browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import type { MqttClient } from 'mqtt';
import { topics, type BoxRef } from '../../protocol/topics.js';
import type { Master } from '../../master/index.js';
import { launchBrowser } from '../helpers/browser.js';
import { birth, connectBox, startMaster, waitFor, waitForBox } from './master-fixtures.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = process.env.KEFU_SCREENSHOTS ?? `${ROOT}tmp/screenshots`;

async function onlineBox(t: { after(fn: () => unknown): void }, m: Master, ref: BoxRef, extra: Parameters<typeof birth>[0] = {}): Promise<MqttClient> {
  const { password } = await m.credentials.addBox(ref.box, ref.region);
  const c = await connectBox(t, m.urls.mqtt!, ref, password, { keepalive: 5 });
  await c.publishAsync(topics.state(ref), JSON.stringify(birth(extra)), { qos: 1, retain: true });
  await waitForBox(m, ref.box, (b) => b.online, `${ref.box} online`);
  return c;
}

const tokenOf = async (m: Master) => (await readFile(`${m.config.dataDir}/http.token`, 'utf8')).trim();

test('the API needs the token and serves boxes, one box, events, telemetry and stats', async (t) => {
  const m = await startMaster(t);
  const token = await tokenOf(m);
  const ref = { region: 'dandong', box: 'hall-01' };
  const box = await onlineBox(t, m, ref);
  await box.publishAsync(topics.event(ref, 'chat', 'message'), JSON.stringify({ v: 1, id: 'e1', seq: 1, ts: Date.now(), data: { text: '你好' } }), { qos: 1 });
  await box.publishAsync(topics.telemetry(ref, 'signal'), JSON.stringify({ v: 1, ts: 5, data: { rsrp_dbm: -95 } }), { qos: 1 });
  await waitFor(() => m.stats().ingest.events === 1 && m.stats().ingest.telemetry === 1, 8000, 'ingested');
  const get = async (path: string, auth: string | null = token) => {
    const res = await fetch(`${m.urls.http}${path}`, { headers: auth ? { authorization: `Bearer ${auth}` } : {} });
    return { status: res.status, body: (await res.json()) as any };
  };
  assert.equal((await get('/api/boxes', null)).status, 401);
  assert.equal((await get('/api/boxes', 'nope')).status, 401);
  const boxes = await get('/api/boxes');
  assert.deepEqual(boxes.body.map((b: { id: string; online: boolean }) => [b.id, b.online]), [['hall-01', true]]);
  const one = await get('/api/boxes/hall-01');
  assert.equal(one.body.telemetry.signal.data.rsrp_dbm, -95);
  assert.equal((await get('/api/boxes/ghost')).status, 404);
  const events = await get('/api/boxes/hall-01/events?limit=5');
  assert.deepEqual(events.body.map((e: { id: string }) => e.id), ['e1']);
  assert.deepEqual((await get('/api/boxes/hall-01/telemetry?name=signal')).body.history.length, 1);
  const stats = await get('/api/stats');
  assert.equal(stats.body.ingest.events, 1);
  assert.equal(stats.body.boxes.online, 1);
  // the dashboard page and its shared assets are public and read-only
  for (const path of ['/', '/app.js', '/favicon.ico', '/_common/i18n.js', '/_common/kefu.css', '/_common/uplot/uPlot.iife.min.js', '/_common/uplot/uPlot.min.css']) {
    assert.equal((await fetch(`${m.urls.http}${path}`)).status, 200, path);
  }
});

test('the live feed sends a snapshot, then box changes and new events; it refuses a wrong token', async (t) => {
  const m = await startMaster(t);
  const token = await tokenOf(m);
  const feedUrl = `${m.urls.http!.replace('http', 'ws')}/api/feed?token=`;
  const bad = new WebSocket(feedUrl + 'wrong');
  const badStatus = await new Promise<number>((resolve) => bad.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
  assert.equal(badStatus, 401);
  const ws = new WebSocket(feedUrl + encodeURIComponent(token));
  t.after(() => ws.close());
  const msgs: any[] = [];
  ws.on('message', (d) => msgs.push(JSON.parse(String(d))));
  await waitFor(() => msgs.find((x) => x.type === 'hello'), 8000, 'hello');
  const ref = { region: 'dandong', box: 'hall-01' };
  const box = await onlineBox(t, m, ref);
  await box.publishAsync(topics.event(ref, 'faceauth', 'login'), JSON.stringify({ v: 1, id: 'f1', seq: 1, ts: Date.now(), data: {} }), { qos: 1 });
  await waitFor(() => msgs.find((x) => x.type === 'box' && x.box.id === 'hall-01' && x.box.online), 8000, 'box online on the feed');
  const evt = await waitFor(() => msgs.find((x) => x.type === 'event'), 8000, 'event on the feed');
  assert.deepEqual([evt.event.box, evt.event.plugin, evt.event.type], ['hall-01', 'faceauth', 'login']);
  await waitFor(() => msgs.find((x) => x.type === 'stats' && x.stats.ingest.events === 1), 8000, 'stats tick');
});

test('kefu master boxes --json and kefu master send go through the HTTP API', async (t) => {
  const m = await startMaster(t);
  const ref = { region: 'dandong', box: 'hall-01' };
  const box = await onlineBox(t, m, ref);
  box.on('message', (topic, payload) => {
    const { id, args } = JSON.parse(String(payload));
    if (topic.endsWith('/silent')) return;
    void box.publishAsync(topics.result(ref, id), JSON.stringify({ v: 1, id, ok: true, result: { got: args, topic } }), { qos: 1 });
  });
  await box.subscribeAsync([`kefu/v1/dandong/hall-01/cmd/+`, 'kefu/v1/dandong/_all/cmd/+'], { qos: 1 });
  const cli = (...args: string[]) => run(process.execPath, [`${ROOT}cli/bin.js`, ...args], { env: { ...process.env, KEFU_MASTER_URL: '', KEFU_MASTER_TOKEN: '' }, timeout: 60_000 });
  const boxes = JSON.parse((await cli('--json', 'master', 'boxes', '--data', m.config.dataDir)).stdout);
  assert.deepEqual(Object.keys(boxes[0]).sort(), ['id', 'lastSeen', 'online', 'region', 'transport', 'version']);
  assert.equal(boxes[0].id, 'hall-01');
  assert.equal(boxes[0].online, true);
  const sent = JSON.parse((await cli('--json', 'master', 'send', 'hall-01', 'system.info', '{"x":1}', '--timeout', '5000', '--data', m.config.dataDir)).stdout);
  assert.deepEqual(sent.result.got, { x: 1 });
  const human = (await cli('master', 'boxes', '--url', m.urls.http!, '--token-file', `${m.config.dataDir}/http.token`)).stdout;
  assert.match(human, /hall-01\s+dandong\s+online/);
  const bc = JSON.parse((await cli('--json', 'master', 'broadcast', 'system.ping', '--region', 'dandong', '--timeout', '5000', '--data', m.config.dataDir)).stdout);
  assert.deepEqual(bc.results.map((r: { box: string }) => r.box), ['hall-01']);
  await assert.rejects(cli('master', 'send', 'hall-01', 'silent', '--timeout', '300', '--data', m.config.dataDir), /COMMAND_TIMEOUT/);
});

test('the dashboard shows the fleet live, in Chinese first with an English switch (screenshots)', async (t) => {
  const m = await startMaster(t);
  const token = await tokenOf(m);
  const a = { region: 'dandong', box: 'dd-hall-01' };
  const b = { region: 'dandong', box: 'dd-hall-02' };
  const c = { region: 'shenyang', box: 'sy-hall-01' };
  const boxA = await onlineBox(t, m, a, { version: '0.4.2', transport: { id: '5g', kind: 'nr5g', quality: 0.86 }, plugins: { chat: 'running', video: 'running', faceauth: 'running', monitoring: 'running' } });
  await onlineBox(t, m, b, { version: '0.4.2', transport: { id: 'eth', kind: 'wired', quality: 0.5 }, plugins: { chat: 'running', video: 'failed' } });
  const boxC = await onlineBox(t, m, c, { version: '0.4.1', transport: { id: '4g', kind: 'lte', quality: 0.2 }, plugins: { chat: 'running' } });
  boxC.stream.destroy(); // goes offline by LWT
  await waitForBox(m, c.box, (x) => !x.online, 'sy-hall-01 offline');
  await boxA.publishAsync(topics.telemetry(a, 'signal'), JSON.stringify({ v: 1, ts: Date.now(), data: { rat: 'NR5G-SA', rsrp_dbm: -92, sinr_db: 14.5, band: 'n78' } }), { qos: 0 });
  let seq = 0;
  const pump = setInterval(() => {
    for (let i = 0; i < 1 + (seq % 7); i++) {
      seq++;
      boxA.publish(topics.event(a, 'chat', 'message'), JSON.stringify({ v: 1, id: `p${seq}`, seq, ts: Date.now(), data: {} }), { qos: 1 });
    }
  }, 250);
  t.after(() => clearInterval(pump));

  const browser = await launchBrowser();
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // a first visit without the token asks for it; the link with `#token=` opened in the same tab then works
  await page.goto(m.urls.dashboard!);
  await page.waitForSelector('#token', { state: 'visible', timeout: 15_000 });
  await page.goto(`${m.urls.dashboard}#token=${encodeURIComponent(token)}`);
  await page.waitForSelector('tr[data-box="sy-hall-01"]', { timeout: 15_000 });
  await page.waitForFunction(() => Number(document.querySelector('#k-events')?.textContent?.replace(/,/g, '')) > 20, undefined, { timeout: 20_000 });
  assert.equal(await page.textContent('h1'), '主控中心');
  assert.equal(await page.textContent('#k-online'), '2');
  assert.equal(await page.textContent('#k-total'), '3');
  assert.match((await page.textContent('tr[data-box="dd-hall-01"]'))!, /5G/);
  assert.match((await page.textContent('tr[data-box="dd-hall-01"] td.seen'))!, /秒前/);
  assert.equal(await page.getAttribute('tr[data-box="sy-hall-01"] .dot', 'class'), 'dot bad');
  // offline: the link it last used, no stale quality bar (review s7 #16)
  assert.match((await page.textContent('tr[data-box="sy-hall-01"]'))!, /上次：4G/);
  assert.equal(await page.$('tr[data-box="sy-hall-01"] .quality'), null);
  assert.ok(await page.$('#chart canvas'), 'the uPlot chart is drawn');
  // problems first: the offline box, then the one with a failed plugin
  assert.deepEqual(await page.$$eval('#boxes tbody tr', (rows) => rows.map((r) => (r as HTMLElement).dataset.box)), ['sy-hall-01', 'dd-hall-02', 'dd-hall-01']);
  await page.click('button.chip[data-region="shenyang"]');
  assert.deepEqual(await page.$$eval('#boxes tbody tr', (rows) => rows.map((r) => (r as HTMLElement).dataset.box)), ['sy-hall-01']);
  await page.click('button.chip[data-region=""]');
  await page.waitForTimeout(2500);
  await mkdir(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/master-dashboard-zh.png`, fullPage: true });
  await page.click('button.lang');
  assert.equal(await page.textContent('h1'), 'Master center');
  assert.match((await page.textContent('tr[data-box="dd-hall-01"] td.seen'))!, /s ago/);
  await page.screenshot({ path: `${SHOTS}/master-dashboard-en.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.click('button.lang');
  await page.waitForTimeout(300);
  await page.screenshot({ path: `${SHOTS}/master-dashboard-phone.png`, fullPage: true });
  // the detail page of one box, reached from the table
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.click('tr[data-box="dd-hall-01"] a');
  await page.waitForSelector('#events tbody tr td:has-text("对话 / 消息")', { timeout: 15_000 });
  assert.match((await page.textContent('#f-status'))!, /在线/);
  assert.match((await page.textContent('#telemetry'))!, /signal\.rsrp_dbm/);
  await page.screenshot({ path: `${SHOTS}/master-box-zh.png`, fullPage: true });
  assert.deepEqual(errors, []);
});

test('the API and dashboard can be served over HTTPS', async (t) => {
  const fixtures = new URL('../fixtures/master/', import.meta.url).pathname;
  const m = await startMaster(t, { http: { host: '127.0.0.1', port: 0, tls: { cert: `${fixtures}broker.crt`, key: `${fixtures}broker.key` } } });
  assert.match(m.urls.http!, /^https:\/\/127\.0\.0\.1:\d+$/);
  const token = await tokenOf(m);
  const https = await import('node:https');
  const ca = await readFile(`${fixtures}broker.crt`);
  const get = (path: string) => new Promise<{ status: number; body: string }>((resolve, reject) => {
    https.get(`${m.urls.http}${path}`, { ca, servername: 'localhost', headers: { authorization: `Bearer ${token}` } }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
  assert.equal((await get('/api/boxes')).body, '[]');
  assert.equal((await get('/')).status, 200);
});
