// Regressions from the new-user walkthrough of the call page: a closed tab left a live-looking black tile
// for the whole rejoin grace while the header counted otherwise; "1 people"; Chinese tile names in English
// mode; on a 1024 px screen two tiles sat stacked in the left half.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../helpers/browser.js';
import { tempDir } from '../helpers/tmp.js';
import { closeAfter } from '../helpers/cleanup.js';
import { startVideoServer } from './video-server.js';
import { openCall, shot, waitFor } from './video-browser-util.js';

// werift can leave a UDP socket open after close(): do not let the file's process hang once every test is done
after(() => { setTimeout(() => process.exit(process.exitCode ?? 0), 1000).unref(); });

interface TileView { id: string; name: string; away: boolean; badge: string; x: number; y: number; w: number; h: number }
const tiles = (page: Page) => page.evaluate(() => [...document.querySelectorAll<HTMLElement>('.vc-tile')].map((el) => {
  const r = el.getBoundingClientRect();
  const badge = el.querySelector<HTMLElement>('.vc-away')!;
  return { id: el.dataset.participant!, name: el.querySelector('.vc-name')!.textContent!, away: el.classList.contains('away'), badge: badge.hidden ? '' : badge.textContent!, x: r.x, y: r.y, w: r.width, h: r.height };
}) as TileView[]);
const status = (page: Page) => page.textContent('#status');

test('call page: reconnecting people are shown as such, the count matches the tiles, English names, tiles use the width', { timeout: 150_000 }, async (t) => {
  const srv = await startVideoServer({ dataDir: await tempDir(t, 'kefu-video-'), config: { rejoinGraceMs: 6000 } });
  closeAfter(t, 'video server', () => srv.close());
  const browser = await launchBrowser();
  closeAfter(t, 'browser', () => browser.close());

  // the viewer: a 1024×768 screen in English, customers without a name (the page names them by role)
  const a = await openCall(browser, srv.url, { room: 'r', role: 'customer', pid: 'A', lang: 'en' }, { width: 1024, height: 768 });
  const b = await openCall(browser, srv.url, { room: 'r', role: 'customer', pid: 'B' });
  const c = await openCall(browser, srv.url, { room: 'r', role: 'customer', pid: 'C' });
  await waitFor('two tiles on A', () => tiles(a), (ts) => ts.length === 2, 60_000);
  await waitFor('A counts three', () => status(a), (s) => s === 'Connected · 3 people', 20_000);
  assert.deepEqual((await tiles(a)).map((x) => x.name), ['Customer', 'Customer']);
  assert.equal(await a.textContent('.vc-self .vc-name'), 'Customer (me)');
  // two tiles side by side across the width, centred
  const grid = (await a.locator('#grid').boundingBox())!;
  const ts = await tiles(a);
  const left = Math.min(...ts.map((x) => x.x)), right = Math.max(...ts.map((x) => x.x + x.w));
  assert.ok(right - left >= 0.9 * grid.width, `tiles span ${right - left} of ${grid.width} px`);
  assert.ok(Math.abs((left - grid.x) - (grid.x + grid.width - right)) <= 4, 'centred');
  assert.ok(ts.every((x) => x.w / x.h >= 4 / 3 - 0.01 && x.w / x.h <= 16 / 9 + 0.01), `tile shapes ${ts.map((x) => (x.w / x.h).toFixed(2))}`);
  await shot(a, 'video-tiles-1024-en.png');

  // a closed tab leaves at once: no tile for the rejoin grace
  await c.close();
  await waitFor('C gone from A', () => tiles(a), (x) => x.length === 1 && x[0]!.id === 'B', 4000, 200);
  assert.equal(await status(a), 'Connected · 2 people');

  // a participant whose link dropped: dimmed and labelled within the grace, not counted as connected
  const ws = new WebSocket(`ws://127.0.0.1:${srv.port}/p/video/ws`);
  await new Promise((r, j) => { ws.once('open', r); ws.once('error', j); });
  ws.send(JSON.stringify({ t: 'join', room: 'r', participant: 'D', name: '客户', role: 'customer', subscribe: false }));
  await waitFor('D on A', () => tiles(a), (x) => x.some((y) => y.id === 'D' && !y.away), 20_000, 200);
  await waitFor('A counts three again', () => status(a), (s) => s === 'Connected · 3 people', 5000, 200);
  ws.terminate();
  const away = await waitFor('D reconnecting on A', () => tiles(a), (x) => x.some((y) => y.id === 'D' && y.away), 5000, 200);
  assert.equal(away.find((y) => y.id === 'D')!.badge, 'Reconnecting…');
  assert.equal(await status(a), 'Connected · 2 people · 1 reconnecting');
  await shot(a, 'video-tiles-reconnecting-en.png');
  // in Chinese
  await a.click('button.lang');
  assert.equal(await status(a), '已连接 · 2 人 · 1 人正在重连');
  assert.equal((await tiles(a)).find((y) => y.id === 'D')!.badge, '正在重连…');
  assert.equal(await a.textContent('.vc-self .vc-name'), '客户（我）');
  await shot(a, 'video-tiles-reconnecting-zh.png');
  await a.click('button.lang');
  // after the grace it leaves; one person left with me: singular
  await waitFor('D gone after the grace', () => tiles(a), (x) => x.length === 1, 15_000, 300);
  await b.close();
  await waitFor('alone', () => status(a), (s) => s === 'Connected · 1 person', 5000, 200);
  assert.deepEqual((a as Page & { kefuErrors: string[] }).kefuErrors, []);
});
