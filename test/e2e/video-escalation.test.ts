// What a hall sees, on the real `kefu up` system in headless Chromium: a customer asks for a human, the agent
// escalates the chat to a video call, the terminal shows the invitation, the customer answers and both sides
// see each other; the agent hangs up and the terminal returns to the chat, which notes the call. Then the master
// sends a voice announcement to that terminal and gets "played" back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { launchBrowser } from '../helpers/browser.js';
import { closeAfter } from '../helpers/cleanup.js';
import { kefu, startKefuUp } from '../helpers/kefu-up.js';
import { inbound, waitFor } from '../integration/video-browser-util.js';

const decodes = (p: Page | Frame) => waitFor('remote video decodes', () => inbound(p as Page), (s) => s.some((x) => x.kind === 'video' && x.framesDecoded > 20), 60_000);

test('chat → video call → hang-up → announcement, on the running system', { timeout: 240_000 }, async (t) => {
  const { urls, data, dir, boxes } = await startKefuUp(t);
  assert.ok(boxes.some((b) => b.id === 'hall-01' && b.online), 'box online');
  const shots = process.env.KEFU_SHOTS ?? dir;
  const base = urls.box.url.replace(/\/$/, '');
  const browser = await launchBrowser({ extraArgs: ['--autoplay-policy=no-user-gesture-required'] });
  closeAfter(t, 'browser', () => browser.close());
  const errors: string[] = [];

  const terminal = await (await browser.newContext({ viewport: { width: 1024, height: 768 } })).newPage();
  terminal.on('pageerror', (e) => errors.push(`terminal: ${e.message}`));
  await terminal.goto(`${base}/p/chat/terminal.html?terminal=kiosk-v&customer=cust-v&name=${encodeURIComponent('张先生')}`);
  await terminal.locator('.bubble.from-bot').first().waitFor();
  await terminal.click('#human');
  await terminal.locator('#owner-label', { hasText: '正在排队' }).waitFor();

  const agentCtx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const agent = await agentCtx.newPage();
  agent.on('pageerror', (e) => errors.push(`agent: ${e.message}`));
  await agent.goto(`${base}/p/chat/agent.html`);
  await agent.fill('#agent-id', 'agent01');
  await agent.fill('#password', 'kefu-demo');
  await agent.click('#login-form button[type=submit]');
  await agent.locator('#mine li button', { hasText: '接入' }).click();
  await terminal.locator('#owner-label', { hasText: '人工客服为您服务' }).waitFor();

  // the agent escalates: a call window opens on the agent's side, an invitation on the terminal
  const [callPage] = await Promise.all([agentCtx.waitForEvent('page'), agent.click('#video')]);
  callPage.on('pageerror', (e) => errors.push(`agent call: ${e.message}`));
  await callPage.waitForURL(/call\.html\?call=/, { timeout: 15_000 });
  await agent.locator('#call-link').waitFor();
  const dialog = terminal.locator('dialog.vt-invite');
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /视频通话/);
  await terminal.locator('.bubble.from-system', { hasText: '视频通话' }).first().waitFor();
  await terminal.screenshot({ path: join(shots, 'terminal-invite.png') });
  await dialog.locator('button[data-act=answer]').click();

  const frame = await waitFor('call frame on the terminal', async () => terminal.frames().find((f) => f.url().includes('/p/video/call.html')) ?? null, (f) => f !== null, 15_000);
  await decodes(frame!);
  await decodes(callPage);
  await agent.screenshot({ path: join(shots, 'agent-in-call.png') });
  await terminal.screenshot({ path: join(shots, 'terminal-call.png') });

  // the agent hangs up: an escalated call ends with its agent, the terminal is back in the chat
  await callPage.click('#hangup');
  await terminal.locator('.vt-call').waitFor({ state: 'detached', timeout: 30_000 });
  await terminal.locator('.bubble.from-system', { hasText: '视频通话已结束' }).waitFor({ timeout: 30_000 });
  await agent.locator('#video').waitFor({ state: 'visible', timeout: 15_000 });

  // a voice announcement from the master reaches the terminal, plays, and reports back
  const sent = JSON.parse(kefu(['master', 'send', 'hall-01', 'video.broadcast', JSON.stringify({ text: '请 A018 号到 3 号窗口办理', terminals: ['kiosk-v'] }), '--json', '--data', join(data, 'master')]));
  const id = (sent.result ?? sent).id as string;
  assert.ok(id, `broadcast id in ${JSON.stringify(sent)}`);
  await terminal.locator('.vt-announce', { hasText: 'A018' }).waitFor({ timeout: 15_000 });
  await terminal.screenshot({ path: join(shots, 'terminal-announce.png') });
  const status = await waitFor('played at the terminal', async () => {
    const r = JSON.parse(kefu(['master', 'send', 'hall-01', 'video.broadcast.status', JSON.stringify({ id }), '--json', '--data', join(data, 'master')]));
    return (r.result ?? r) as { targets: Record<string, { status: string }> };
  }, (s) => s.targets?.['kiosk-v']?.status === 'played', 30_000, 1000);
  assert.equal(status.targets['kiosk-v'].status, 'played');
  assert.deepEqual(errors, []);
});
