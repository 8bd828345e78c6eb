// `npm start` smoke test: `kefu up` starts, the master sees the box online, the box page and the master
// dashboard load in headless Chromium, and Ctrl-C leaves no process behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { launchBrowser } from '../helpers/browser.js';
import { tempDir } from '../helpers/tmp.js';

const KEFU = join(import.meta.dirname, '..', '..', 'cli', 'bin.js');

function kefu(args: string[]): string {
  return execFileSync(process.execPath, [KEFU, ...args], { encoding: 'utf8', timeout: 30_000 });
}

test('kefu up: box online at the master, pages load, Ctrl-C stops everything', { timeout: 120_000 }, async (t) => {
  const dir = await tempDir(t, 'kefu-up-');
  const data = join(dir, 'kefu');
  const up = spawn(process.execPath, [KEFU, '--json', 'up', '--data', data, '--mqtt-port', '0', '--master-http-port', '0', '--http-port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => { if (up.exitCode === null) up.kill('SIGKILL'); });
  const firstLine = await Promise.race([
    once(createInterface({ input: up.stdout! }), 'line').then(([l]) => l as string),
    once(up, 'exit').then(([code]) => { throw new Error(`kefu up exited early with ${code}`); }),
    sleep(60_000).then(() => { throw new Error('kefu up printed nothing within 60 s'); }),
  ]);
  const urls = JSON.parse(firstLine) as { master: { dashboard: string; tokenFile: string }; box: { url: string; apps: unknown[] } };

  let boxes: Array<{ id: string; region: string; online: boolean; version: string; transport: { id: string } | null; lastSeen: number }> = [];
  for (let i = 0; i < 40 && !boxes.some((b) => b.online); i++) {
    boxes = JSON.parse(kefu(['master', 'boxes', '--json', '--data', join(data, 'master')]));
    if (!boxes.some((b) => b.online)) await sleep(250);
  }
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
    assert.match(await page.textContent('#plugins') ?? '', /system/);
    assert.match(await page.textContent('#status') ?? '', /在线/);
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
