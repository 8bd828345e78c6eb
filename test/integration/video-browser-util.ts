// Helpers for the video browser tests: open call pages, read their WebRTC stats and QoS rows, poll.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';

/** a PNG of the page into $KEFU_SCREENSHOTS, when set (to look at what a test saw) */
export async function shot(page: Page, name: string): Promise<void> {
  const dir = process.env.KEFU_SCREENSHOTS;
  if (!dir) return;
  await mkdir(dir, { recursive: true });
  await page.screenshot({ path: join(dir, name) });
}

/** `init` runs in the page before its own scripts (to watch what it does from the start) */
export async function openCall(browser: Browser, url: string, q: Record<string, string>, viewport = { width: 1600, height: 900 }, init?: () => void): Promise<Page> {
  const page = await browser.newPage({ viewport });
  if (init) await page.addInitScript(init);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  (page as Page & { kefuErrors?: string[] }).kefuErrors = errors;
  await page.goto(`${url}/p/video/call.html?${new URLSearchParams({ res: '360', ...q })}`);
  return page;
}

export interface InboundSummary { mid: string; kind: string; framesDecoded: number; bytesReceived: number; totalAudioEnergy: number; packetsLost: number }

export async function inbound(page: Page): Promise<InboundSummary[]> {
  return page.evaluate(async () => {
    const call = (window as unknown as { kefuCall?: { subscriber: RTCPeerConnection | null } }).kefuCall;
    const pc = call?.subscriber;
    if (!pc) return [];
    const out: InboundSummary[] = [];
    (await pc.getStats()).forEach((r: Record<string, unknown>) => {
      if (r.type !== 'inbound-rtp') return;
      out.push({ mid: String(r.mid), kind: String(r.kind), framesDecoded: Number(r.framesDecoded ?? 0), bytesReceived: Number(r.bytesReceived ?? 0),
        totalAudioEnergy: Number(r.totalAudioEnergy ?? 0), packetsLost: Number(r.packetsLost ?? 0) });
    });
    return out;
  });
}

export interface QosRow {
  participant: string;
  levels: Record<string, string>;
  metrics: { videoKbps: number | null; audioKbps: number | null; fps: number | null; lossPct: number | null;
    blur: { score: number | null; qp: number | null; laplacian: number | null };
    freeze: { count: number; seconds: number; frozenNow: boolean }; stutter: { pct: number | null; events: number } };
  sfu: { pps: number; nacks: number; netLossPct: number | null; layer: string | null; temporal: number; temporalDrops: number } | null;
}

export async function qosRows(page: Page): Promise<QosRow[]> {
  return page.evaluate(() => {
    const call = (window as unknown as { kefuCall?: { qos: Map<string, unknown> } }).kefuCall;
    return call ? [...call.qos.values()] as never : [];
  });
}

/** The dot colours a person sees on the tile of `participant`. */
export async function tileDots(page: Page, participant: string): Promise<Record<string, string>> {
  return page.evaluate((pid) => {
    const out: Record<string, string> = {};
    document.querySelectorAll(`.vc-tile[data-participant="${pid}"] .vc-qos .dot`).forEach((d) => {
      const el = d as HTMLElement;
      out[el.dataset.metric!] = el.className.replace('dot', '').trim();
    });
    return out;
  }, participant);
}

export async function waitFor<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number, everyMs = 500): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < end) {
    last = await fn();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)?.slice(0, 800)}`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
