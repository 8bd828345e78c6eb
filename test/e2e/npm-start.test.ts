// `npm start` smoke test: `kefu up` starts, the master sees the box online, the box page and the master
// dashboard load in headless Chromium, and Ctrl-C leaves no process behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { launchBrowser } from '../helpers/browser.js';
import { startKefuUp } from '../helpers/kefu-up.js';

test('kefu up: box online at the master, pages load, Ctrl-C stops everything', { timeout: 120_000 }, async (t) => {
  const { proc: up, dir, data, urls, boxes } = await startKefuUp(t);
  const box = boxes.find((b) => b.id === 'hall-01');
  assert.ok(box?.online, `box online at the master: ${JSON.stringify(boxes)}`);
  assert.equal(box.region, 'demo');
  assert.equal(box.transport?.id, 'eth');
  assert.equal(typeof box.lastSeen, 'number');

  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(urls.box.url);
    await page.waitForSelector('#plugins tr');
    assert.match(await page.textContent('#plugins') ?? '', /系统/);
    assert.match(await page.textContent('#status') ?? '', /在线/);
    // hall staff see who waits, and are told when nobody can serve them
    const kiosk = await browser.newPage({ viewport: { width: 1024, height: 768 } });
    await kiosk.goto(`${urls.box.url.replace(/\/$/, '')}/p/chat/terminal.html?terminal=e2e-kiosk`);
    await kiosk.locator('.bubble.from-bot').first().waitFor();
    await kiosk.click('#human');
    await page.locator('#service [data-kpi="waiting"] .kpi', { hasText: '1' }).waitFor({ timeout: 15_000 });
    await page.locator('#service-warn', { hasText: '没有坐席在线' }).waitFor();
    await page.screenshot({ path: join(dir, 'box.png') });
    const token = (await import('node:fs')).readFileSync(urls.master.tokenFile, 'utf8').trim();
    await page.goto(`${urls.master.dashboard}#token=${token}`);
    await page.waitForFunction(() => document.body.innerText.includes('hall-01'), undefined, { timeout: 15_000 });
  } finally {
    await browser.close();
  }

  up.kill('SIGINT');
  const [code] = await Promise.race([once(up, 'exit'), sleep(20_000).then(() => [null])]);
  assert.equal(code, 0, 'kefu up exits 0 on Ctrl-C');
  const left = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(data));
  assert.deepEqual(left, [], 'no process left behind');
});
