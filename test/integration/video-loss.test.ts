// Real network impairment: the SFU gets a dedicated UDP port range, and an nftables table drops 20 % and 40 % of
// the packets leaving those ports (SFU → browser), then all of them for 3 s (a freeze). The viewer's QoS
// panel must show it: audio stutter and loss, then a video freeze, with red indicators on the tile.
// At 20 % NACK/RTX repairs nearly everything: the panel shows it as loss on the link; 40 % outruns the repair.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { launchBrowser } from '../helpers/browser.js';
import { tempDir } from '../helpers/tmp.js';
import { closeAfter } from '../helpers/cleanup.js';
import { startVideoServer } from './video-server.js';
import { inbound, openCall, qosRows, tileDots, waitFor, sleep } from './video-browser-util.js';

after(() => { setTimeout(() => process.exit(process.exitCode ?? 0), 1000).unref(); });

function nft(script: string) {
  execFileSync('nft', ['-f', '-'], { input: script });
}

test('20 % and 40 % loss and a 3 s outage on the SFU ports show on the QoS panel', { timeout: 150_000 }, async (t) => {
  try { execFileSync('nft', ['list', 'tables']); } catch (err) {
    throw new Error(`nftables is required (Debian package 'nftables', run as root): ${(err as Error).message}`);
  }
  const base = 40000 + Math.floor(Math.random() * 200) * 100;
  const range: [number, number] = [base, base + 99];
  const table = `kefu_video_loss_${process.pid}`;
  const dropRule = (pct: number) => `flush chain inet ${table} out\n${pct <= 0 ? '' : `add rule inet ${table} out udp sport ${range[0]}-${range[1]} ${pct >= 100 ? '' : `numgen random mod 100 < ${pct} `}drop\n`}`;
  nft(`add table inet ${table}\nadd chain inet ${table} out { type filter hook output priority 0; policy accept; }\n`);
  t.after(() => { try { nft(`delete table inet ${table}\n`); } catch { /* already gone */ } });

  const dir = await tempDir(t);
  const srv = await startVideoServer({ dataDir: dir, config: { portRange: range } });
  closeAfter(t, 'video server', () => srv.close());
  const browser = await launchBrowser();
  closeAfter(t, 'browser', () => browser.close());
  const a = await openCall(browser, srv.url, { room: 'loss', role: 'agent', name: '坐席', pid: 'A' }, { width: 1280, height: 720 });
  const b = await openCall(browser, srv.url, { room: 'loss', role: 'customer', name: '客户', pid: 'B' }, { width: 1280, height: 720 });
  await waitFor('A decodes B', () => inbound(a), (s) => s.some((x) => x.kind === 'video' && x.framesDecoded > 30), 60_000);
  await waitFor('clean baseline', () => qosRows(a), (r) => r.some((x) => x.participant === 'B' && x.levels.videoBitrate !== 'idle'), 30_000);
  await sleep(11_000); // start-up freezes leave the 10 s window
  const clean = (await qosRows(a)).find((x) => x.participant === 'B')!;
  const lostBefore = (await inbound(a)).reduce((n, x) => n + x.packetsLost, 0);

  // 20 %: NACK/RTX repairs most of it, so the panel must show the loss on the link (counted by the SFU)
  // even where little is left after repair
  const cleanNet = clean.sfu?.netLossPct ?? 0;
  nft(dropRule(20));
  const net = await waitFor('link loss on the panel', () => qosRows(a), (r) => (r.find((y) => y.participant === 'B')?.sfu?.netLossPct ?? 0) > Math.max(8, cleanNet + 5), 30_000, 1000);
  const netPct = net.find((y) => y.participant === 'B')!.sfu!.netLossPct!;
  t.diagnostic(`link loss ${cleanNet.toFixed(1)} % clean → ${netPct.toFixed(1)} % with 20 % dropped`);
  await a.click('#qos');
  const cell = a.locator('.vc-panel tr[data-p="B"] td[data-metric="loss"]');
  await waitFor('an amber or red loss cell', async () => cell.getAttribute('data-level'), (l) => l === 'warn' || l === 'bad', 15_000);
  await a.screenshot({ path: `${process.env.KEFU_SHOTS ?? dir}/video-loss-panel.png` });

  // 40 % outruns the repair: audio conceals, the stutter dot turns amber or red
  nft(dropRule(40));
  // judged against the clean baseline: start-up noise alone can already read a few per cent on the panel
  const lostNow = async () => (await inbound(a)).reduce((n, x) => n + x.packetsLost, 0);
  const lossy = await waitFor('loss visible in the browser and on the panel', async () => ({ rows: await qosRows(a), lost: await lostNow() }), (v) => {
    const x = v.rows.find((y) => y.participant === 'B');
    return v.lost > lostBefore + 20 && !!x && ((x.metrics.stutter.pct ?? 0) > (clean.metrics.stutter.pct ?? 0) + 3 || (x.metrics.lossPct ?? 0) > 3);
  }, 30_000, 1000);
  assert.ok(lossy.lost > lostBefore, `browser counted lost packets (${lostBefore} → ${lossy.lost})`);
  await waitFor('stutter above the baseline', () => qosRows(a), (r) => {
    const x = r.find((y) => y.participant === 'B');
    return !!x && (x.metrics.stutter.pct ?? 0) > (clean.metrics.stutter.pct ?? 0);
  }, 15_000, 1000);
  const dots = await waitFor('an amber or red stutter dot', () => tileDots(a, 'B'), (d) => /warn|bad/.test(d.stutter ?? ''), 15_000);
  assert.match(dots.stutter!, /warn|bad/);

  // an outage: every packet dropped for 3 s, then the link comes back
  nft(dropRule(100));
  await sleep(3000);
  nft(dropRule(0));
  const frozen = await waitFor('freeze on the panel', () => qosRows(a), (r) => {
    const x = r.find((y) => y.participant === 'B');
    return !!x && x.metrics.freeze.count >= 1 && x.metrics.freeze.seconds >= 1 && x.levels.freeze === 'bad';
  }, 30_000, 1000);
  const f = frozen.find((x) => x.participant === 'B')!;
  assert.ok(f.metrics.freeze.seconds >= 1, `freeze duration ${f.metrics.freeze.seconds}s`);
  assert.equal((await tileDots(a, 'B')).freeze, 'bad');
  // and media recovers
  const before = (await inbound(a)).find((x) => x.kind === 'video')!.framesDecoded;
  await waitFor('frames decode again', () => inbound(a), (s) => s.some((x) => x.kind === 'video' && x.framesDecoded > before + 20), 30_000);
  void b;
});
