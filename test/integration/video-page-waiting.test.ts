// Regression from the walkthrough of the call page: alone in a call (the agent not there yet) the page showed
// an empty dark grid and nothing else. Now it says whom it waits for, in the page's language, until they join.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../helpers/browser.js';
import { tempDir } from '../helpers/tmp.js';
import { closeAfter } from '../helpers/cleanup.js';
import { startVideoServer } from './video-server.js';
import { openCall, shot, waitFor } from './video-browser-util.js';

// werift can leave a UDP socket open after close(): do not let the file's process hang once every test is done
after(() => { setTimeout(() => process.exit(process.exitCode ?? 0), 1000).unref(); });

interface WaitingView { visible: boolean; title: string; hint: string; box: { x: number; y: number; w: number; h: number }; grid: { x: number; y: number; w: number; h: number }; ever: boolean }
// (no named helpers inside evaluate: tsx wraps them in a __name the page does not have)
const waiting = (page: Page) => page.evaluate(() => {
  const el = document.getElementById('waiting');
  const [box, grid] = [el?.querySelector('.vc-waiting-title'), document.getElementById('grid')].map((e) => {
    const r = e?.getBoundingClientRect() ?? { x: 0, y: 0, width: 0, height: 0 };
    return { x: r.x, y: r.y, w: r.width, h: r.height };
  });
  return {
    visible: !!el && !el.hidden && el.getBoundingClientRect().height > 0,
    title: el?.querySelector('.vc-waiting-title')?.textContent ?? '', hint: el?.querySelector('.vc-waiting-hint')?.textContent ?? '',
    box, grid, ever: (window as unknown as { waitingShown?: boolean }).waitingShown === true,
  };
}) as Promise<WaitingView>;
/** remembers whether the waiting card was ever shown, however briefly */
function watchWaiting() {
  document.addEventListener('DOMContentLoaded', () => {
    const el = document.getElementById('waiting');
    if (el) new MutationObserver(() => { if (!el.hidden) (window as unknown as { waitingShown?: boolean }).waitingShown = true; }).observe(el, { attributes: true });
  });
}
const connected = (page: Page) => waitFor('connected', () => page.textContent('#status'), (s) => /已连接|Connected/.test(s ?? ''), 30_000, 200);

test('call page: alone it says whom it waits for (中文 first, English); it goes when the other side joins and comes back when they leave', { timeout: 150_000 }, async (t) => {
  const srv = await startVideoServer({ dataDir: await tempDir(t, 'kefu-video-') });
  closeAfter(t, 'video server', () => srv.close());
  const browser = await launchBrowser();
  closeAfter(t, 'browser', () => browser.close());

  // the agent is first in the room: waiting for the customer
  const agent = await openCall(browser, srv.url, { room: 'w', role: 'agent', pid: 'AG' }, { width: 1366, height: 768 });
  await connected(agent);
  const alone = await waitFor('agent waits', () => waiting(agent), (w) => w.visible, 10_000, 200);
  assert.equal(alone.title, '正在等待客户加入…');
  // the quality panel alone says what it will show (it was an empty table)
  await agent.click('#qos');
  assert.match(await agent.locator('#panel').innerText(), /其他人加入后/);
  await agent.click('#qos');

  // the customer joins a room the agent is in: never told to wait, and the agent's card goes
  const customer = await openCall(browser, srv.url, { room: 'w', role: 'customer', pid: 'CU' }, { width: 390, height: 844 }, watchWaiting);
  await connected(customer);
  await waitFor('agent no longer waits', () => waiting(agent), (w) => !w.visible, 10_000, 200);
  await waitFor('customer sees the agent', () => customer.locator('.vc-tile').count(), (n) => n === 1, 30_000, 200);
  assert.equal((await waiting(customer)).ever, false, 'the customer never saw the waiting card');

  // the agent leaves: the customer waits for an agent, centred in the grid, in Chinese then English. The agent's
  // page is busy as it closes, as a starved renderer on a loaded machine is: Chrome gives up on its pagehide
  // `leave` after ~0.5 s and only the socket's close (1001) tells the box, which must not take it for a blip
  // (the card would then wait out the 15 s rejoin grace: this wait is shorter)
  await agent.evaluate(() => { setTimeout(() => { const end = Date.now() + 2000; while (Date.now() < end); }, 0); });
  await agent.close();
  const zh = await waitFor('customer waits', () => waiting(customer), (w) => w.visible, 10_000, 200);
  assert.equal(zh.title, '正在等待客服加入…');
  assert.match(zh.hint, /对方加入后/);
  const centre = (w: WaitingView) => Math.abs(w.box.x + w.box.w / 2 - (w.grid.x + w.grid.w / 2));
  assert.ok(centre(zh) <= 4 && zh.box.y > zh.grid.y && zh.box.y + zh.box.h < zh.grid.y + zh.grid.h, `centred in the grid: ${JSON.stringify(zh)}`);
  await shot(customer, 'video-waiting-390x844-zh.png');
  await customer.click('button.lang');
  const en = await waiting(customer);
  assert.deepEqual([en.visible, en.title, en.hint], [true, 'Waiting for an agent to join…', 'Keep this page open: the call starts as soon as they join.']);
  await shot(customer, 'video-waiting-390x844-en.png');
  await customer.setViewportSize({ width: 1366, height: 768 });
  assert.ok(centre(await waiting(customer)) <= 4);
  await shot(customer, 'video-waiting-1366x768-en.png');
  await customer.click('button.lang');
  await shot(customer, 'video-waiting-1366x768-zh.png');

  // hanging up: the call is over, nothing to wait for
  await customer.click('#hangup');
  assert.equal((await waiting(customer)).visible, false);
  assert.deepEqual((customer as Page & { kefuErrors: string[] }).kefuErrors, []);
});
