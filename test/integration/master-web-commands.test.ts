// Commanding boxes from the master's pages, in a real browser against a real master and a real box daemon: the
// box's own catalogue, a result, arguments refused before sending, the box's error codes, an offline box, a
// confirmation for changing commands, and a broadcast with an offline box. Screenshots at 1366, 1024, 768 and 390.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import type { Master } from '../../master/index.js';
import { launchBrowser } from '../helpers/browser.js';
import { startDaemon, writeBoxConfig } from '../helpers/daemon-process.js';
import { tempDir } from '../helpers/tmp.js';
import { topics } from '../../protocol/topics.js';
import { birth, connectBox, startMaster, waitForBox } from './master-fixtures.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = process.env.KEFU_SCREENSHOTS ?? `${ROOT}tmp/screenshots`;
const SIZES = [['d', 1366, 768], ['t', 1024, 768], ['s', 768, 1024], ['p', 390, 844]] as const;
const tokenOf = async (m: Master) => (await readFile(`${m.config.dataDir}/http.token`, 'utf8')).trim();
const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

/** Picks a command by name (the free name field when it is not in the box's list) and sets its JSON args. */
async function choose(page: Page, name: string, json?: string) {
  const listed = await page.$eval('#cmd-name', (s, n) => [...(s as HTMLSelectElement).options].some((o) => o.value === n), name);
  await page.selectOption('#cmd-name', listed ? name : '');
  if (!listed) await page.fill('#cmd-free', name);
  if (json !== undefined) {
    if (!(await page.isVisible('#cmd-json'))) await page.click('button.cmd-mode');
    await page.fill('#cmd-json', json);
  }
}
const historyLength = (page: Page) => page.$$eval('#cmd-history button.cmd-past', (b) => b.length);
/** Sends and waits for a new history entry; returns the outcome's code (OK or the error code). */
async function sendAndWait(page: Page) {
  const before = await historyLength(page);
  await page.click('#cmd-send');
  await page.waitForFunction((n) => document.querySelectorAll('#cmd-history button.cmd-past').length > n, before, { timeout: 20_000 });
  return page.getAttribute('#cmd-result .cmd-outcome .badge', 'data-code');
}

test('an operator sends commands to a box and broadcasts to the fleet from the master pages', async (t) => {
  const m = await startMaster(t);
  const token = await tokenOf(m);
  const { password } = await m.credentials.addBox('hall-01', 'dandong');
  const late = await m.credentials.addBox('hall-09', 'dandong'); // provisioned, never connected: offline
  const dir = await tempDir(t, 'kefu-box-');
  const daemon = await startDaemon(await writeBoxConfig(dir, { box: 'hall-01', region: 'dandong', url: m.urls.mqtt!, password }), `${dir}/data`);
  t.after(() => daemon.kill9());
  await waitForBox(m, 'hall-01', (b) => b.online, 'the box daemon online', 30_000);

  const browser = await launchBrowser();
  t.after(() => browser.close());
  await mkdir(SHOTS, { recursive: true });
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const urls: string[] = [];
  page.on('request', (r) => urls.push(r.url()));
  await page.goto(`${m.urls.dashboard}#token=${encodeURIComponent(token)}`);
  const base = m.urls.dashboard!.replace(/\/$/, '');
  await page.goto(`${base}/box.html?id=hall-01`);

  // the catalogue is the box's own: its commands, grouped, with their descriptions
  await page.waitForSelector('#cmd-source[data-source="box"]', { timeout: 20_000 });
  assert.match((await page.textContent('#cmd-source'))!, /命令列表来自网点本身（\d+ 个命令）/);
  assert.equal(await page.inputValue('#cmd-name'), 'system.info');
  assert.match((await page.textContent('#cmd-desc'))!, /version, uptime/);
  assert.match((await page.textContent('#cmd-args'))!, /不需要参数/);
  assert.equal(await sendAndWait(page), 'OK');
  const info = JSON.parse((await page.textContent('#cmd-result pre.json'))!);
  assert.equal(info.version, m.registry.get('hall-01')!.version, 'the box\'s own system.info, pretty-printed');
  for (const [size, width, height] of SIZES) {
    await page.setViewportSize({ width, height });
    await page.waitForTimeout(150);
    assert.ok(await overflow(page) <= 0, `${size}: the box page does not scroll sideways`);
    await page.locator('#commands').screenshot({ path: `${SHOTS}/master-cmd-result-${size}-zh.png` });
  }
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.screenshot({ path: `${SHOTS}/master-cmd-page-d-zh.png`, fullPage: true });

  // a form from the schema: a required field left empty is refused here; wrong JSON too; nothing is sent
  await choose(page, 'transport.switch');
  assert.equal(await page.isVisible('#cmd-args input[data-key="id"]'), true, 'transport.switch {id: string, timeoutMs?: integer} gets a form');
  assert.equal(await page.isVisible('#cmd-args input[data-key="timeoutMs"]'), true);
  const sent = await historyLength(page);
  await page.click('#cmd-send');
  assert.match((await page.textContent('#cmd-errors'))!, /没有发送[\s\S]*id 必须填写/);
  await choose(page, 'system.info', '{"verbose": tru');
  await page.click('#cmd-send');
  assert.match((await page.textContent('#cmd-errors'))!, /JSON 格式不对/);
  await choose(page, 'system.info', '{"verbose": true}');
  await page.click('#cmd-send');
  assert.match((await page.textContent('#cmd-errors'))!, /没有参数 verbose/, 'a field the schema does not take');
  await page.waitForTimeout(300);
  assert.equal(await historyLength(page), sent, 'refused arguments are not sent');
  await page.locator('#commands').screenshot({ path: `${SHOTS}/master-cmd-invalid-d-zh.png` });

  // the box's own refusals, code and message as it sent them
  await choose(page, 'no.such.command', '');
  assert.equal(await sendAndWait(page), 'UNKNOWN_COMMAND');
  assert.match((await page.textContent('#cmd-result .cmd-message'))!, /no command no\.such\.command on this box; it has .*system\.info/);
  await choose(page, 'shell.exec', '{}');
  assert.equal(await sendAndWait(page), 'COMMAND_NOT_ALLOWED', 'the default deny list refuses shell.*');
  await page.locator('#commands').screenshot({ path: `${SHOTS}/master-cmd-denied-d-zh.png` });

  // a command that changes the box asks first; cancelled, nothing is sent
  await choose(page, 'plugin.restart');
  await page.fill('#cmd-args input[data-key="name"]', 'system');
  const before = await historyLength(page);
  await page.click('#cmd-send');
  await page.waitForSelector('dialog.cmd-confirm[open]');
  assert.match((await page.textContent('dialog.cmd-confirm'))!, /plugin\.restart[\s\S]*hall-01[\s\S]*"name": "system"/);
  await page.screenshot({ path: `${SHOTS}/master-cmd-confirm-d-zh.png` });
  await page.click('dialog.cmd-confirm button.secondary');
  await page.waitForTimeout(300);
  assert.equal(await historyLength(page), before, 'cancelled: not sent');
  await page.click('#cmd-send');
  await page.click('dialog.cmd-confirm button.danger');
  await page.waitForFunction((n) => document.querySelectorAll('#cmd-history button.cmd-past').length > n, before, { timeout: 20_000 });
  assert.equal(await page.getAttribute('#cmd-result .cmd-outcome .badge', 'data-code'), 'OK', 'confirmed: sent, and the box restarted its plugin');

  // English, and the history of this session
  await page.click('button.lang');
  const english = await page.$eval('#commands', (e) => (e as HTMLElement).innerText);
  assert.match(english, /Remote commands[\s\S]*Commands this session/);
  assert.doesNotMatch(english, /[\u4e00-\u9fff]/, `no Chinese left in the English panel:\n${english}`);
  await page.click('#cmd-history li:last-child button');
  assert.equal(await page.getAttribute('#cmd-result .cmd-outcome .badge', 'data-code'), 'OK', 'an earlier entry shown again');
  await page.locator('#commands').screenshot({ path: `${SHOTS}/master-cmd-history-d-en.png` });
  await page.click('button.lang');

  // an offline box: no catalogue, a free name; BOX_OFFLINE at once, with the offer to queue it
  await page.goto(`${base}/box.html?id=hall-09`);
  await page.waitForSelector('#cmd-source[data-source="offline"]', { timeout: 15_000 });
  await choose(page, 'system.info', '');
  const began = Date.now();
  assert.equal(await sendAndWait(page), 'BOX_OFFLINE');
  assert.ok(Date.now() - began < 3000, 'an offline box fails at once');
  assert.match((await page.textContent('#cmd-result'))!, /网点离线，命令没有发出[\s\S]*hall-09 is offline[\s\S]*排队/);
  assert.equal(await page.isVisible('#cmd-queue'), true);
  for (const [size, width, height] of [SIZES[0], SIZES[3]]) {
    await page.setViewportSize({ width, height });
    await page.waitForTimeout(150);
    await page.screenshot({ path: `${SHOTS}/master-cmd-offline-${size}-zh.png`, fullPage: size === 'p' });
  }

  // the fleet page: a broadcast reaches the online box, the offline one is BOX_OFFLINE, and the summary says so
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto(base);
  await page.waitForSelector('#bc-targets:has-text("2 个网点")', { timeout: 15_000 });
  await page.fill('#bc-args', '{oops}');
  await page.click('#bc-send');
  assert.match((await page.textContent('#bc-errors'))!, /JSON 格式不对/);
  await page.fill('#bc-args', '');
  await page.click('#bc-send');
  await page.waitForSelector('#bc-summary', { timeout: 20_000 });
  assert.match((await page.textContent('#bc-summary'))!, /system\.info · 1 \/ 2 个网点成功，1 个离线，0 个没有回答/);
  assert.equal(await page.getAttribute('#bc-result tr[data-box="hall-09"] .badge', 'data-code'), 'BOX_OFFLINE');
  assert.equal(await page.getAttribute('#bc-result tr[data-box="hall-01"] .badge', 'data-code'), 'OK');
  for (const [size, width, height] of SIZES) {
    await page.setViewportSize({ width, height });
    await page.waitForTimeout(150);
    assert.ok(await overflow(page) <= 0, `${size}: the fleet page does not scroll sideways`);
    await page.locator('#broadcast').screenshot({ path: `${SHOTS}/master-broadcast-${size}-zh.png` });
  }
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.screenshot({ path: `${SHOTS}/master-broadcast-page-d-zh.png`, fullPage: true });
  await page.click('button.lang');
  assert.match((await page.textContent('#bc-summary'))!, /1 of 2 boxes ok, 1 offline, 0 did not answer/);
  assert.doesNotMatch(await page.$eval('#broadcast', (e) => (e as HTMLElement).innerText), /[\u4e00-\u9fff]/, 'no Chinese left in the English panel');
  await page.locator('#broadcast').screenshot({ path: `${SHOTS}/master-broadcast-d-en.png` });

  // queued for the offline box: sent once it is back (a box played by an MQTT client here), and its answer shown
  await page.click('button.lang');
  await page.setViewportSize({ width: 1024, height: 768 });
  // a list read from the box earlier (this tab) is used while it is offline; a form from enums, lists, numbers
  await page.evaluate((list) => sessionStorage.setItem('kefu.master.catalogue.hall-09', JSON.stringify(list)), [
    { name: 'system.info', description: 'the box', args: { type: 'object', properties: {}, additionalProperties: false }, allowed: true },
    { name: 'chat.agent.set', description: 'add or change an agent', allowed: true, args: { type: 'object', additionalProperties: false, required: ['id', 'name', 'skills'], properties: {
      id: { type: 'string', minLength: 1 }, name: { type: 'string', minLength: 1 }, skills: { type: 'array', items: { type: 'string' }, minItems: 1 },
      capacity: { type: 'integer', exclusiveMinimum: 0, maximum: 9007199254740991 }, role: { type: 'string', enum: ['agent', 'supervisor'] }, busy: { type: 'boolean' } } } },
  ]);
  await page.goto(`${base}/box.html?id=hall-09`);
  await page.waitForSelector('#cmd-source[data-source="cached"]', { timeout: 15_000 });
  await page.selectOption('#cmd-name', 'chat.agent.set');
  await page.fill('[data-key="id"]', 'a7');
  await page.fill('[data-key="name"]', '李明');
  await page.fill('[data-key="skills"]', 'vat, invoice，social');
  await page.fill('[data-key="capacity"]', '0');
  await page.selectOption('[data-key="role"]', 'supervisor');
  await page.click('#cmd-send');
  assert.match((await page.textContent('#cmd-errors'))!, /capacity 不能小于 1/);
  await page.fill('[data-key="capacity"]', '3');
  await page.selectOption('[data-key="busy"]', 'false');
  await page.locator('#commands').screenshot({ path: `${SHOTS}/master-cmd-form-t-zh.png` });
  await page.click('#cmd-send');
  await page.waitForSelector('dialog.cmd-confirm[open]');
  assert.deepEqual(JSON.parse((await page.textContent('dialog.cmd-confirm pre'))!), { id: 'a7', name: '李明', skills: ['vat', 'invoice', 'social'], capacity: 3, role: 'supervisor', busy: false });
  await page.click('dialog.cmd-confirm button.secondary');
  await page.selectOption('#cmd-name', 'system.info');
  assert.equal(await sendAndWait(page), 'BOX_OFFLINE');
  await page.selectOption('#cmd-queue-for', '60000');
  await page.click('#cmd-queue');
  await page.waitForSelector('.cmd-queued');
  assert.match((await page.textContent('.cmd-queued'))!, /已排队，等待网点上线后发送（最多 1 分钟）/);
  await page.locator('#commands').screenshot({ path: `${SHOTS}/master-cmd-queued-t-zh.png` });
  const ref = { region: 'dandong', box: 'hall-09' };
  const box = await connectBox(t, m.urls.mqtt!, ref, late.password);
  box.on('message', (topic, payload) => {
    const { id } = JSON.parse(payload.toString());
    const name = topic.split('/').pop();
    const result = name === 'commands.list' ? [{ name: 'system.info', description: 'the box', args: { type: 'object', properties: {} }, allowed: true }] : { version: '0.0.9', answered: 'after coming back' };
    box.publish(topics.result(ref, id), JSON.stringify({ v: 1, id, ok: true, result }), { qos: 1 });
  });
  await box.subscribeAsync(topics.command(ref, '+'), { qos: 1 });
  await box.publishAsync(topics.state(ref), JSON.stringify(birth({ version: '0.0.9' })), { qos: 1, retain: true });
  await page.waitForSelector('#cmd-result .cmd-outcome .badge[data-code="OK"]', { timeout: 20_000 });
  assert.match((await page.textContent('#cmd-result pre.json'))!, /"answered": "after coming back"/);
  await page.waitForSelector('#cmd-source[data-source="box"]', { timeout: 15_000 }); // back online: its own list now
  await page.locator('#commands').screenshot({ path: `${SHOTS}/master-cmd-queued-answered-t-zh.png` });

  assert.deepEqual(errors, []);
  assert.ok(!urls.some((u) => u.includes(token) && !u.includes('/api/feed')), 'the token travels in a header, in no address but the feed\'s');
});
