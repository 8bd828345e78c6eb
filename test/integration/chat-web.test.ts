// Full scenario in headless Chromium: customer asks, bot answers, customer asks for a human, agent accepts,
// they chat, the agent closes, the customer rates. Screenshots land in $KEFU_SHOTS (or a temp dir).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import chat from '../../plugins/chat/index.js';
import { createPluginHarness } from '../helpers/plugin-harness.js';
import { launchBrowser, signInAgent } from '../helpers/browser.js';
import { tempDir } from '../helpers/tmp.js';

test('terminal and agent console: ask, bot, human, accept, chat, close, rate', { timeout: 120_000 }, async (t) => {
  const shots = process.env.KEFU_SHOTS ?? (await tempDir(t, 'kefu-shots-'));
  await mkdir(shots, { recursive: true });
  const h = await createPluginHarness(t, chat, { kb: new URL('../fixtures/faq/kb.json', import.meta.url).pathname, businessHours: 'always', queue: { tickMs: 200 } });
  await h.command('chat.agent.set', { id: 'a1', name: '王晓', skills: ['invoice', 'general'], password: 'agent-pass-1', role: 'supervisor' });
  await h.command('chat.agent.set', { id: 'a2', name: '李娜', skills: ['iit'], password: 'agent-pass-2' });

  const browser = await launchBrowser();
  t.after(() => browser.close());
  const terminal = await (await browser.newContext({ viewport: { width: 1024, height: 768 } })).newPage();
  const console_: string[] = [];
  terminal.on('pageerror', (e) => console_.push(`terminal: ${e.message}`));
  await terminal.goto(`${h.baseUrl}/p/chat/terminal.html?terminal=kiosk-web&customer=cust-web`);
  await terminal.locator('.bubble.from-bot').first().waitFor();
  assert.match(await terminal.locator('.bubble.from-bot').first().innerText(), /智能客服/);
  assert.ok(await terminal.locator('#human').isVisible(), '转人工 always visible');

  await terminal.fill('#text', '收到的发票怎么查验真伪？');
  await terminal.click('#send');
  await terminal.locator('.bubble.from-bot', { hasText: '全国增值税发票查验平台' }).waitFor();
  await terminal.locator('.quick button', { hasText: '转人工' }).last().waitFor();
  await terminal.screenshot({ path: `${shots}/terminal-bot.png` });

  await terminal.click('#human');
  await terminal.locator('#owner-label', { hasText: '正在排队' }).waitFor();
  // nobody is signed in yet: no wait estimate, the customer is told so (a made-up "第 1 位，约 3 分钟" was the bug)
  await terminal.locator('#queue-info', { hasText: '暂无客服在线' }).waitFor();
  await terminal.screenshot({ path: `${shots}/terminal-queue.png` });

  const agent = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  agent.on('pageerror', (e) => console_.push(`agent: ${e.message}`));
  await agent.goto(`${h.baseUrl}/p/chat/agent.html`);
  await agent.screenshot({ path: `${shots}/agent-login.png` });
  await agent.fill('#agent-id', 'a1');
  await agent.fill('#password', 'agent-pass-1');
  await agent.click('#login-form button[type=submit]');
  await agent.locator('#mine li button', { hasText: '接入' }).click();
  await agent.locator('#messages .msg.bot', { hasText: '全国增值税发票查验平台' }).waitFor();
  await terminal.locator('#owner-label', { hasText: '人工客服为您服务' }).waitFor();

  await agent.fill('#text', '您好，我是王晓，请问是哪张发票需要查验？');
  await agent.click('#send');
  await terminal.locator('.bubble.from-agent', { hasText: '我是王晓' }).waitFor();
  await terminal.fill('#text', '是一张增值税专用发票，谢谢');
  await agent.locator('#chat-typing').waitFor({ state: 'visible', timeout: 5000 });
  await terminal.click('#send');
  await agent.locator('#messages .msg.customer', { hasText: '增值税专用发票' }).waitFor();
  // what was being typed has arrived: the indicator goes with it, not 3 s later
  await agent.locator('#chat-typing').waitFor({ state: 'hidden', timeout: 1000 });
  await agent.locator('#context dd', { hasText: 'cust-web' }).waitFor();
  // the AI's last answer is named by its question, not only its KB id
  await agent.locator('#context dd', { hasText: /发票.*真伪.*\([A-Z]+-\d+\)/ }).waitFor({ timeout: 5000 });
  await terminal.locator('.bubble.from-customer.read', { hasText: '增值税专用发票' }).waitFor();
  await agent.screenshot({ path: `${shots}/agent-chat.png` });
  await terminal.screenshot({ path: `${shots}/terminal-agent.png` });

  // a transfer to a colleague says it happened (the conversation just vanished from the list before)
  const colleague = await signInAgent(browser, h.baseUrl, { id: 'a2', password: 'agent-pass-2', viewport: { width: 1024, height: 768 }, errors: console_, label: 'colleague' });
  await agent.locator('#transfer option[value="agent:a2"]').waitFor({ state: 'attached' });
  await agent.selectOption('#transfer', 'agent:a2');
  await agent.locator('#notice', { hasText: '已转接给 李娜' }).waitFor({ timeout: 5000 });
  await agent.screenshot({ path: `${shots}/agent-transferred.png` });
  await colleague.locator('#mine li button', { hasText: '接入' }).click();
  await terminal.locator('.bubble.from-system', { hasText: '李娜' }).waitFor();
  await colleague.click('#close');
  await terminal.locator('dialog#rate[open]').waitFor();
  await terminal.screenshot({ path: `${shots}/terminal-rating.png` });
  await terminal.locator('.rate-buttons button[data-level="4"]').click();
  await terminal.locator('.bubble.from-system', { hasText: '感谢您的评价' }).waitFor();
  await terminal.locator('#owner-label', { hasText: '智能客服为您服务' }).waitFor();

  // the English switch relabels the terminal
  await terminal.click('button.lang');
  await terminal.locator('#human', { hasText: 'Human agent' }).waitFor();
  // every line the page or the server can say in both languages follows the switch (they stayed Chinese)
  await terminal.locator('.bubble.from-system', { hasText: 'Thank you for your rating!' }).waitFor();
  await terminal.locator('.bubble.from-system', { hasText: 'The agent has ended the session' }).waitFor();
  await terminal.locator('.bubble.from-bot').first().filter({ hasText: 'smart assistant' }).waitFor();
  await terminal.screenshot({ path: `${shots}/terminal-en.png` });
  await terminal.setViewportSize({ width: 420, height: 860 });
  await terminal.screenshot({ path: `${shots}/terminal-phone.png` });
  const agentNarrow = await agent.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  assert.ok(agentNarrow, 'agent console has no horizontal overflow');
  await agent.screenshot({ path: `${shots}/agent-after.png` });

  // a busy hall: the agent steps away, another customer waits; the console shows the queue
  await agent.selectOption('#status', 'away');
  await colleague.selectOption('#status', 'away');
  const second = await (await browser.newContext({ viewport: { width: 800, height: 700 } })).newPage();
  await second.goto(`${h.baseUrl}/p/chat/terminal.html?terminal=kiosk-2&customer=cust-2`);
  await second.locator('.bubble.from-bot').first().waitFor();
  await second.fill('#text', '个人所得税汇算要补税，我不服，想申请复议');
  await second.click('#send');
  await second.locator('#owner-label', { hasText: '正在排队' }).waitFor();
  await second.locator('#queue-info', { hasText: /您排在第 1 位|即将/ }).waitFor();
  await agent.locator('#queue li', { hasText: 'cust-2' }).waitFor();
  await agent.screenshot({ path: `${shots}/agent-queue.png` });
  await second.close();

  const rated = h.published.find((p) => p.type === 'rating');
  assert.equal((rated?.data as { level: number }).level, 4);
  assert.deepEqual(console_, []);
});
