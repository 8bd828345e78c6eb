// Headless Debian Chromium through playwright-core, with fake camera/microphone. Never downloads a browser.
import { chromium, type Browser, type LaunchOptions } from 'playwright-core';
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
