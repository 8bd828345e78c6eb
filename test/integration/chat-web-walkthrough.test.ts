// Regressions from the new-user walkthrough, in headless Chromium: a phone-width English terminal and a 1366×768
// agent console. Each assertion failed before its fix. Screenshots land in $KEFU_SHOTS (or a temp dir).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import chat from '../../plugins/chat/index.js';
import { createPluginHarness } from '../helpers/plugin-harness.js';
import { launchBrowser, signInAgent } from '../helpers/browser.js';
import { tempDir } from '../helpers/tmp.js';

test('walkthrough: English phone terminal, queue wording, 1366×768 and 768×1024 console, rating at 390 px, a closed tab is abandoned', { timeout: 180_000 }, async (t) => {
  const shots = process.env.KEFU_SHOTS ?? (await tempDir(t, 'kefu-shots-'));
  await mkdir(shots, { recursive: true });
  const h = await createPluginHarness(t, chat, { kb: new URL('../fixtures/faq/kb.json', import.meta.url).pathname, businessHours: 'always',
    queue: { tickMs: 200 }, limits: { reconnectGraceSec: 4 } });
  await h.command('chat.agent.set', { id: 'a1', name: '王晓', skills: ['invoice', 'general'], password: 'agent-pass-1', capacity: 3 });
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const errors: string[] = [];

  // a phone, page switched to English after the greeting arrived
  const terminal = await (await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true })).newPage();
  terminal.on('pageerror', (e) => errors.push(`terminal: ${e.message}`));
  await terminal.goto(`${h.baseUrl}/p/chat/terminal.html?terminal=kiosk-w1&customer=cust-w1`);
  await terminal.locator('.bubble.from-bot', { hasText: '智能客服' }).first().waitFor();
  await terminal.click('button.lang');
  await terminal.locator('.bubble.from-bot').first().filter({ hasText: 'smart assistant' }).waitFor();
  const placeholder = await terminal.locator('#text').evaluate((e: HTMLTextAreaElement) => {
    const c = document.createElement('canvas').getContext('2d')!;
    const s = getComputedStyle(e);
    c.font = `${s.fontSize} ${s.fontFamily}`;
    return { text: e.placeholder, need: c.measureText(e.placeholder).width, room: e.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight) };
  });
  assert.ok(placeholder.need <= placeholder.room, `placeholder "${placeholder.text}" needs ${placeholder.need}px, has ${placeholder.room}px`);
  await terminal.screenshot({ path: `${shots}/walk-terminal-en-phone.png` });

  // "Human agent" is what the customer sees they sent; nobody is signed in: no invented wait
  await terminal.click('#human');
  await terminal.locator('.bubble.from-customer', { hasText: 'Human agent' }).waitFor();
  assert.equal(await terminal.locator('.bubble.from-customer', { hasText: '转人工' }).count(), 0);
  await terminal.locator('#owner-label', { hasText: 'Waiting in line' }).waitFor();
  await terminal.locator('#queue-info', { hasText: 'No agent is online right now' }).waitFor();
  assert.doesNotMatch(await terminal.locator('#queue-info').innerText(), /number \d+ in line|min/);
  await terminal.screenshot({ path: `${shots}/walk-terminal-no-agent.png` });

  // the agent signs in: the offer is not service yet
  const agent = await signInAgent(browser, h.baseUrl, { id: 'a1', password: 'agent-pass-1', viewport: { width: 1366, height: 768 }, errors, label: 'agent' });
  await agent.locator('#mine li button', { hasText: '接入' }).waitFor();
  await terminal.locator('#owner-label', { hasText: 'Connecting you to an agent' }).waitFor();
  assert.equal(await terminal.locator('#status.agent').count(), 0, 'not green before the agent accepts');
  await terminal.screenshot({ path: `${shots}/walk-terminal-offered.png` });

  await agent.locator('#mine li button', { hasText: '接入' }).click();
  await terminal.locator('#owner-label', { hasText: 'An agent is serving you' }).waitFor();
  for (let i = 0; i < 12; i++) {
    await agent.fill('#text', `第 ${i + 1} 条回复：请提供发票代码和号码，我帮您查一下。`);
    await agent.click('#send');
  }
  await terminal.locator('.bubble.from-agent', { hasText: '第 12 条回复' }).waitFor();
  await agent.locator('#messages .msg.agent', { hasText: '第 12 条回复' }).waitFor();
  const layout = await agent.evaluate(() => {
    const m = document.getElementById('messages')!;
    const [send, close, title] = ['send', 'close', 'chat-title'].map((id) => document.getElementById(id)!.getBoundingClientRect());
    return { pageScrolls: document.scrollingElement!.scrollHeight > innerHeight + 1, send: send.bottom, close: { top: close.top }, title: { top: title.top, height: title.height },
      listScrolls: m.scrollHeight > m.clientHeight, h: innerHeight };
  });
  assert.equal(layout.pageScrolls, false, 'the console page itself does not scroll');
  assert.ok(layout.send <= layout.h, `发送 visible (bottom ${layout.send} of ${layout.h})`);
  assert.ok(Math.abs(layout.close.top - layout.title.top) < layout.title.height, '结束服务 on the header row');
  assert.ok(layout.listScrolls, 'the message list scrolls by itself');
  await agent.screenshot({ path: `${shots}/walk-agent-1366.png` });

  // a tablet at the counter (768×1024): the conversation sits beside the lists, its input on screen without scrolling
  await agent.setViewportSize({ width: 768, height: 1024 });
  const tablet = await agent.evaluate(() => {
    const [text, mine] = ['text', 'mine'].map((id) => document.getElementById(id)!.getBoundingClientRect());
    return { pageScrolls: document.scrollingElement!.scrollHeight > innerHeight + 1, text: { top: text.top, bottom: text.bottom }, mine: mine.top, h: innerHeight };
  });
  assert.equal(tablet.pageScrolls, false, 'the tablet console page itself does not scroll');
  assert.ok(tablet.text.top >= 0 && tablet.text.bottom <= tablet.h, `reply box on screen at 768×1024 (${JSON.stringify(tablet.text)} of ${tablet.h})`);
  assert.ok(tablet.mine < tablet.h, 'my conversations on screen with it');
  await agent.screenshot({ path: `${shots}/walk-agent-768.png` });
  await agent.setViewportSize({ width: 1366, height: 768 });

  // a reload within the grace period resumes the same conversation with its whole history
  await terminal.reload();
  await terminal.locator('.bubble.from-agent', { hasText: '第 12 条回复' }).waitFor();
  await terminal.locator('.bubble.from-customer', { hasText: 'Human agent' }).waitFor();
  await terminal.locator('#owner-label', { hasText: 'An agent is serving you' }).waitFor();
  await agent.fill('#text', '刷新后还能收到吗？');
  await agent.click('#send');
  await terminal.locator('.bubble.from-agent', { hasText: '刷新后还能收到吗' }).waitFor();
  assert.equal(await agent.locator('#chat-gone').isVisible(), false);

  // the rating fits a 390 px screen, every level a large target
  await agent.click('#close');
  await terminal.locator('dialog#rate[open]').waitFor();
  assert.equal(await terminal.locator('#rate h2').innerText(), "Please rate the agent's service");
  const boxes = await terminal.locator('.rate-buttons button').evaluateAll((bs) => bs.map((b) => b.getBoundingClientRect()).map((r) => ({ l: r.left, r: r.right, h: r.height, w: r.width })));
  assert.equal(boxes.length, 5);
  for (const b of boxes) { assert.ok(b.l >= 0 && b.r <= 390, `inside the screen: ${JSON.stringify(b)}`); assert.ok(b.h >= 56 && b.w >= 200, `large target: ${JSON.stringify(b)}`); }
  await terminal.locator('.rate-buttons button', { hasText: 'Neutral' }).waitFor();
  // nothing looks chosen before the customer chooses (a focus ring on 非常满意 read as a preselection)
  assert.equal(await terminal.evaluate(() => document.activeElement?.closest('.rate-buttons') !== null), false, 'no rating button focused on open');
  await terminal.screenshot({ path: `${shots}/walk-terminal-rate-390.png` });
  const complaint = 'Waited far too long and the agent kept asking for the same invoice numbers again and again';
  await terminal.fill('#rate-comment', complaint);
  await terminal.locator('.rate-buttons button[data-level="1"]').click();

  // the follow-up shows the customer's whole comment, who served and when, without hovering (a tablet has no hover)
  const task = agent.locator('#tasks li.task');
  await task.waitFor();
  assert.match(await task.locator('.task-head').innerText(), /王晓/);
  const comment = await task.locator('.task-comment').evaluate((e) => ({ text: e.textContent, cut: e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1 }));
  assert.equal(comment.text, `“${complaint}”`);
  assert.equal(comment.cut, false, 'the comment is not cut off');

  // a second customer asks for a human and closes the tab: the console says so, then the conversation goes away
  const second = await (await browser.newContext({ viewport: { width: 800, height: 700 } })).newPage();
  await second.goto(`${h.baseUrl}/p/chat/terminal.html?terminal=kiosk-w2&customer=cust-gone`);
  await second.locator('.bubble.from-bot').first().waitFor();
  await second.click('#human');
  const row = agent.locator('#mine li', { hasText: 'cust-gone' });
  await row.waitFor();
  await second.close();
  await row.locator('.gone', { hasText: '客户已断开' }).waitFor();
  assert.ok(await row.locator('button', { hasText: '接入' }).isDisabled(), '接入 disabled while the customer is gone');
  // the labels take their own line: the customer's id is never squeezed out of its row
  const id = await row.evaluate((li) => {
    const grow = li.querySelector('.grow')!, r = (li.querySelector('.cid') ?? grow).getBoundingClientRect();
    const hit = [...li.querySelectorAll('.gone, button')].map((e) => e.getBoundingClientRect())
      .some((o) => o.left < r.right && o.right > r.left && o.top < r.bottom && o.bottom > r.top);
    return { cut: grow.scrollWidth > grow.clientWidth + 1, hit, text: grow.textContent, title: grow.getAttribute('title') };
  });
  assert.match(id.text ?? '', /cust-gone/);
  assert.equal(id.cut, false, `customer id not cut off: ${id.text}`);
  assert.equal(id.hit, false, 'customer id not overlapped by 客户已断开 / 接入');
  assert.match(id.title ?? '', /cust-gone/, 'the whole id in the title');
  await agent.screenshot({ path: `${shots}/walk-agent-gone.png` });
  await row.waitFor({ state: 'detached', timeout: 20_000 });
  await agent.locator('#agents li', { hasText: '0/3' }).waitFor();
  const closed = h.published.find((p) => p.type === 'closed' && (p.data as { reason?: string }).reason === 'abandoned');
  assert.ok(closed, 'abandonment reported to the master');

  // the console on a phone: the header buttons keep to one line
  await agent.setViewportSize({ width: 390, height: 844 });
  await agent.click('button.lang');
  await agent.click('button.lang');
  const lang = await agent.locator('header button.lang').evaluate((b) => ({ h: b.getBoundingClientRect().height, line: parseFloat(getComputedStyle(b).lineHeight) || 24 }));
  assert.ok(lang.h < lang.line * 2, `中文/English button on one line (${lang.h}px)`);
  await agent.screenshot({ path: `${shots}/walk-agent-phone.png` });

  // a kiosk the customer walked away from asks, then starts over: the next customer never reads the last one's chat
  const kiosk = await (await browser.newContext({ viewport: { width: 1024, height: 768 } })).newPage();
  kiosk.on('pageerror', (e) => errors.push(`kiosk: ${e.message}`));
  await kiosk.goto(`${h.baseUrl}/p/chat/terminal.html?terminal=kiosk-idle&idle=2&idleGrace=2`);
  await kiosk.locator('.bubble.from-bot').first().waitFor();
  await kiosk.fill('#text', '我的身份证号是 11010519491231002X，发票怎么查验？');
  await kiosk.click('#send');
  await kiosk.locator('dialog#idle[open]', { hasText: '还需要帮助吗' }).waitFor({ timeout: 10_000 });
  await kiosk.screenshot({ path: `${shots}/walk-kiosk-idle.png` });
  await kiosk.locator('dialog#idle').waitFor({ state: 'hidden', timeout: 10_000 });
  await kiosk.locator('.bubble.from-bot').first().waitFor();
  assert.equal(await kiosk.locator('.bubble.from-customer').count(), 0, 'the screen starts over');
  assert.doesNotMatch(await kiosk.locator('#log').innerText(), /11010519491231002X/);
  assert.deepEqual(errors, []);
});
