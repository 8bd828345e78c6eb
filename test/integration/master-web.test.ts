// Regressions of the master's pages found by a new-user walkthrough, in a real browser, with screenshots at
// 1366×768, 1024×768 and 390×844 in Chinese and English.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { topics, type BoxRef } from '../../protocol/topics.js';
import type { Master } from '../../master/index.js';
import { launchBrowser } from '../helpers/browser.js';
import { birth, connectBox, startMaster, waitFor, waitForBox } from './master-fixtures.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = process.env.KEFU_SCREENSHOTS ?? `${ROOT}tmp/screenshots`;
const SIZES = [['d', 1366, 768], ['t', 1024, 768], ['p', 390, 844]] as const;
const tokenOf = async (m: Master) => (await readFile(`${m.config.dataDir}/http.token`, 'utf8')).trim();

async function onlineBox(t: { after(fn: () => unknown): void }, m: Master, ref: BoxRef, extra: Parameters<typeof birth>[0] = {}) {
  const { password } = await m.credentials.addBox(ref.box, ref.region);
  const c = await connectBox(t, m.urls.mqtt!, ref, password, { keepalive: 5 });
  await c.publishAsync(topics.state(ref), JSON.stringify(birth(extra)), { qos: 1, retain: true });
  await waitForBox(m, ref.box, (b) => b.online, `${ref.box} online`);
  return c;
}

/** A page of its own at one screen size; its uncaught errors are collected. */
async function pageAt(t: { after(fn: () => unknown): void }, browser: Browser, width: number, height: number) {
  const ctx = await browser.newContext({ viewport: { width, height } });
  t.after(() => ctx.close());
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, errors };
}

/** Text a person can see (hidden elements and closed <details> excluded). */
const visibleText = (page: Page, sel: string) => page.$eval(sel, (e) => (e as HTMLElement).innerText);
const setLang = (page: Page, lang: 'zh' | 'en') => page.evaluate(async (l) => {
  if (document.documentElement.lang.startsWith(l === 'zh' ? 'zh' : 'en')) return;
  (document.querySelector('button.lang') as HTMLElement).click();
}, lang);

test('without a token the dashboard says it needs one and where to find it, in both languages, with no made-up zeros', async (t) => {
  const m = await startMaster(t);
  const browser = await launchBrowser();
  t.after(() => browser.close());
  await mkdir(SHOTS, { recursive: true });
  for (const [size, width, height] of SIZES) {
    const { page, errors } = await pageAt(t, browser, width, height);
    await page.goto(m.urls.dashboard!);
    await page.waitForSelector('#token', { state: 'visible', timeout: 15_000 });
    for (const lang of ['zh', 'en'] as const) {
      await setLang(page, lang);
      await page.waitForTimeout(200);
      const text = await visibleText(page, 'body');
      assert.match(text, lang === 'zh' ? /需要访问令牌/ : /Access token needed/);
      assert.match(text, /kefu up/);
      assert.match(text, /#token=/);
      assert.match(text, /http\.token/);
      assert.doesNotMatch(text, /0 \/ 0|No boxes yet|还没有网点|– \/ –/, `${lang} ${size}: no counts before the master has sent any`);
      assert.equal(await page.isVisible('#k-online'), false);
      assert.equal(await page.isVisible('#token-wrong'), false, 'no "wrong token" before one was given');
      // the Open button keeps its word on one line, even on a phone
      const lines = await page.$eval('#login button', (b) => Math.round(b.getBoundingClientRect().height / parseFloat(getComputedStyle(b).lineHeight || '24')));
      assert.ok(lines <= 2, `${size} ${lang}: the button is one line tall (${lines})`);
      const wraps = await page.$eval('#login button', (b) => { const r = document.createRange(); r.selectNodeContents(b); return r.getClientRects().length; });
      assert.equal(wraps, 1, `${size} ${lang}: 打开/Open on one line`);
      await page.screenshot({ path: `${SHOTS}/master-token-${size}-${lang}.png`, fullPage: true });
    }
    assert.deepEqual(errors, []);
  }
  // a wrong token says so
  const page = await browser.newPage({ viewport: { width: 1024, height: 768 } });
  await page.goto(`${m.urls.dashboard}#token=wrong`);
  await page.waitForSelector('#token-wrong', { state: 'visible', timeout: 15_000 });
});

test('the dashboard chart keeps its time labels apart at 1366 px and every plugin chip is translated', async (t) => {
  const m = await startMaster(t);
  const token = await tokenOf(m);
  await onlineBox(t, m, { region: 'dandong', box: 'dd-hall-01' }, { version: '0.4.2', transport: { id: 'eth', kind: 'wired', quality: 1 }, plugins: { system: 'running', chat: 'running' } });
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  await page.goto(`${m.urls.dashboard}#token=${encodeURIComponent(token)}`);
  await page.waitForSelector('#chart canvas', { timeout: 15_000 });
  await page.setViewportSize({ width: 1366, height: 768 });
  assert.equal(await page.textContent('tr[data-box="dd-hall-01"] td.plugins'), '系统对话');
  // the labels the axis draws over the chart's 2 minutes, measured in the axis font: they must not touch
  const fit = await page.evaluate(async () => {
    const { timeAxis } = await import('/time-axis.js' as string);
    const host = document.querySelector('#chart') as HTMLElement;
    const div = document.createElement('div');
    host.after(div);
    const axis = timeAxis();
    let labels: string[] = [];
    const values = axis.values;
    axis.values = (u: unknown, splits: number[], ...rest: unknown[]) => (labels = values(u, splits, ...rest));
    const now = Math.floor(Date.now() / 1000);
    const xs = Array.from({ length: 120 }, (_, i) => now - 119 + i);
    const U = (window as unknown as { uPlot: new (...a: unknown[]) => { bbox: { width: number }; destroy(): void } }).uPlot;
    const u = new U({ width: host.clientWidth, height: 220, series: [{}, {}], axes: [axis, { size: 50 }], legend: { show: false } }, [xs, xs.map(() => 1)], div);
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const ctx = document.createElement('canvas').getContext('2d')!;
    ctx.font = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
    const widths = labels.map((l) => ctx.measureText(l).width);
    const plotWidth = u.bbox.width / devicePixelRatio;
    u.destroy(); div.remove();
    return { n: labels.length, labels, gap: plotWidth / Math.max(1, labels.length - 1), widest: Math.max(...widths) };
  });
  assert.ok(fit.n >= 3, `some time labels: ${fit.labels}`);
  assert.ok(fit.gap >= fit.widest + 24, `labels ${fit.labels.join(' ')} are ${fit.gap.toFixed(0)} px apart, each up to ${fit.widest.toFixed(0)} px wide`);
  await mkdir(SHOTS, { recursive: true });
  await page.waitForTimeout(1500);
  await page.screenshot({ path: `${SHOTS}/master-dashboard-d-zh.png` });
  // on a phone the fleet table fits without scrolling sideways
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(300);
  const spill = await page.$eval('#boxes', (tb) => tb.parentElement!.scrollWidth - tb.parentElement!.clientWidth);
  assert.ok(spill <= 0, `the fleet table is ${spill} px too wide at 390 px`);
  await page.screenshot({ path: `${SHOTS}/master-dashboard-p-zh.png`, fullPage: true });
});

test('the box page shows labelled sections with units, an outbox table, plugin states and trend charts (screenshots)', async (t) => {
  const m = await startMaster(t);
  const token = await tokenOf(m);
  const ref = { region: 'dandong', box: 'dd-hall-01' };
  const box = await onlineBox(t, m, ref, { version: '0.4.2', transport: { id: '5g', kind: 'nr5g', quality: 0.8 }, plugins: { system: 'running', chat: 'running', video: 'failed' } });
  const now = Date.now();
  for (let i = 4; i >= 0; i--) {
    const ts = now - i * 60_000;
    await box.publishAsync(topics.telemetry(ref, 'system'), JSON.stringify({ v: 1, ts, data: { version: '0.4.2', node: 'v20.20.2', platform: 'linux 6.1 x64', hostname: 'hall-box', uptime_s: 93_784, daemon_uptime_s: 3_725, load: [0.4 + i / 10, 0.5, 0.6], cpus: 4, mem_total_mb: 7_836, mem_free_mb: 3_000 + i * 100, rss_mb: 212, disk_free_mb: 40_000, disk_total_mb: 118_000 } }), { qos: 1 });
    await box.publishAsync(topics.telemetry(ref, 'outbox'), JSON.stringify({ v: 1, ts, data: { pending: { critical: 0, event: 12 + i, telemetry: 3, bulk: 0 }, bytes: 52_000, maxBytes: 268_435_456, residentBytes: 4_096, inflight: 2, losses: { critical: 0, event: 0, telemetry: 7, bulk: 0 }, lastSeq: 4_411 } }), { qos: 1 });
    await box.publishAsync(topics.telemetry(ref, 'signal'), JSON.stringify({ v: 1, ts, data: { link: '5g', kind: 'nr5g', rat: 'NR5G-SA', band: 'n78', rsrp_dbm: -92 - i, sinr_db: 14.5 } }), { qos: 1 });
    await box.publishAsync(topics.telemetry(ref, 'chat'), JSON.stringify({ v: 1, ts, data: { messages: 35, aiAnswers: 3, handoffs: 3, ratings: 2, ratingSum: 7, avgRating: 3.5, open: 6 - i, waiting: 1, withAgent: 0, agentsOnline: 2, disconnected: 1 } }), { qos: 1 });
  }
  await box.publishAsync(topics.event(ref, 'chat', 'handoff'), JSON.stringify({ v: 1, id: 'ev-handoff-1', seq: 4_411, ts: now, data: {} }), { qos: 1 });
  await box.publishAsync(topics.telemetry(ref, 'video'), JSON.stringify({ v: 1, ts: now, data: { room: 'r1', callId: 'c-42', participants: 2, rows: [{ peer: 'a' }] } }), { qos: 1 });
  await waitFor(() => m.stats().ingest.telemetry >= 21, 10_000, 'telemetry ingested');
  const browser = await launchBrowser();
  t.after(() => browser.close());
  await mkdir(SHOTS, { recursive: true });
  for (const [size, width, height] of SIZES) {
    const { page, errors } = await pageAt(t, browser, width, height);
    await page.goto(`${m.urls.dashboard}#token=${encodeURIComponent(token)}`);
    await page.goto(`${m.urls.dashboard!.replace(/\/$/, '')}/box.html?id=dd-hall-01`);
    await page.waitForSelector('#outbox-table', { timeout: 15_000 });
    await page.waitForFunction(() => document.querySelectorAll('.trend canvas').length >= 5, undefined, { timeout: 15_000 });
    for (const lang of ['zh', 'en'] as const) {
      await setLang(page, lang);
      await page.waitForFunction(() => document.querySelectorAll('.trend canvas').length >= 5, undefined, { timeout: 15_000 });
      const shown = await visibleText(page, 'main');
      // no raw keys or JSON where people read: those stay in the closed installers' table
      assert.doesNotMatch(shown, /mem_total_mb|_uptime_s|\{"critical"|signal\.rsrp_dbm|ratingSum|disconnected/, `${lang} ${size}`);
      if (lang === 'zh') {
        for (const s of ['身份与链路', '系统资源', '上行缓存', '近期趋势', '主机名', '开机时长', '1 天 2 小时', '7.7 GB', '115.2 GB', '关键', '遥测', '对话 · 运行', '视频 · 故障', '系统 · 运行', '进行中会话', '参与人数', 'RSRP -92 dBm', '客户断线待重连', '对话 / 转人工']) assert.ok(shown.includes(s), `${size}: ${s} in\n${shown}`);
      } else {
        for (const s of ['Identity & link', 'System resources', 'Outbox', 'Recent trends', 'Host name', 'Up since boot', '1 d 2 h', '7.7 GB', 'Critical', 'Telemetry', 'Chat · running', 'Video · failed', 'System · running', 'Open chats', 'Participants', 'Customers gone, may return', 'Chat / handoff to staff']) assert.ok(shown.includes(s), `${size}: ${s} in\n${shown}`);
        assert.doesNotMatch(shown, /[\u4e00-\u9fff]/, `${size}: no Chinese left in the English page`);
      }
      assert.equal((await page.textContent('#outbox-table tr[data-class="telemetry"] td:last-child'))?.trim(), '7');
      assert.match((await page.getAttribute('#outbox-table tr[data-class="telemetry"] td:last-child', 'class'))!, /bad/);
      // nothing is cut off: the page never scrolls sideways
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `${size} ${lang}: ${overflow} px wider than the screen`);
      await page.screenshot({ path: `${SHOTS}/master-box-${size}-${lang}.png`, fullPage: true });
    }
    // the installers' table still has every field as sent
    assert.match((await page.textContent('#telemetry'))!, /signal\.rsrp_dbm/);
    assert.equal(await page.isVisible('#box-hint'), false, 'an online box needs no hint');
    assert.deepEqual(errors, []);
  }
  // a box added but never connected says what to do on the box; an unknown id shows no empty sections
  await m.credentials.addBox('dd-hall-09', 'dandong');
  const { page } = await pageAt(t, browser, 1024, 768);
  await page.goto(`${m.urls.dashboard}#token=${encodeURIComponent(token)}`);
  await page.goto(`${m.urls.dashboard!.replace(/\/$/, '')}/box.html?id=dd-hall-09`);
  await page.waitForSelector('#box-hint:visible', { timeout: 15_000 });
  assert.match((await page.textContent('#box-hint'))!, /还没有连接过.*kefu master box add dd-hall-09.*kefu doctor/);
  await page.screenshot({ path: `${SHOTS}/master-box-never-zh.png`, fullPage: true });
  await page.goto(`${m.urls.dashboard!.replace(/\/$/, '')}/box.html?id=no-such-box`);
  await page.waitForSelector('#missing:visible', { timeout: 15_000 });
  assert.equal(await page.isVisible('#detail'), false, 'no empty sections under "no such box"');
});
