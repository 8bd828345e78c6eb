// Headless Debian Chromium through playwright-core, with fake camera/microphone. Never downloads a browser.
import { chromium, type Browser, type LaunchOptions, type Page } from 'playwright-core';
import { existsSync } from 'node:fs';

export const CHROMIUM = process.env.KEFU_CHROMIUM ?? '/usr/bin/chromium';

export async function launchBrowser(opts: { fakeVideo?: string; extraArgs?: string[] } = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`chromium not found at ${CHROMIUM}: install the Debian package 'chromium' (npm test does it as root)`);
  const args = [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
    ...(opts.fakeVideo ? [`--use-file-for-fake-video-capture=${opts.fakeVideo}`] : []),
    ...(opts.extraArgs ?? []),
  ];
  const launch: LaunchOptions = { executablePath: CHROMIUM, headless: true, args };
  return chromium.launch(launch);
}

/** An agent signed in to the chat console in a browser context of its own; its page errors go to `errors`. */
export async function signInAgent(browser: Browser, baseUrl: string, o: { id: string; password: string; viewport: { width: number; height: number }; errors: string[]; label: string }): Promise<Page> {
  const page = await (await browser.newContext({ viewport: o.viewport })).newPage();
  page.on('pageerror', (e) => o.errors.push(`${o.label}: ${e.message}`));
  await page.goto(`${baseUrl}/p/chat/agent.html`);
  await page.fill('#agent-id', o.id);
  await page.fill('#password', o.password);
  await page.click('#login-form button[type=submit]');
  return page;
}
