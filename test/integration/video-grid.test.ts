// 32 participants in one room: three headless Chromium browsers (fake camera + microphone) and 29 werift
// publishers replaying real VP8 recorded from the first browser. Media flows, every QoS metric is present
// and plausible, telemetry and bus events go out, and the 32-tile grid fits one screen (screenshot).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { launchBrowser } from '../helpers/browser.js';
import { tempDir } from '../helpers/tmp.js';
import { startVideoServer } from './video-server.js';
import { createSyntheticClient } from '../../plugins/video/sfu/synthetic-client.js';
import { inbound, openCall, qosRows, tileDots, waitFor, sleep } from './video-browser-util.js';

test('32-tile room: 3 browsers + 29 synthetic publishers', { timeout: 180_000 }, async (t) => {
  const dir = await tempDir(t, 'kefu-video-');
  const srv = await startVideoServer({ dataDir: dir, config: { maxParticipants: 32 } });
  t.after(() => srv.close());
  const qosEvents: unknown[] = [];
  srv.bus.on('video.qos', 'test', (e) => { qosEvents.push(e); });
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const wsUrl = `ws://127.0.0.1:${srv.port}/p/video/ws`;

  const a = await openCall(browser, srv.url, { room: 'grid', role: 'agent', name: '坐席A', pid: 'A' });
  const b = await openCall(browser, srv.url, { room: 'grid', role: 'customer', name: '客户B', pid: 'B' });
  const c = await openCall(browser, srv.url, { room: 'grid', role: 'customer', name: '客户C', pid: 'C' });

  // three real participants: everyone decodes the other two
  for (const page of [a, b, c]) {
    await waitFor('two decoding video tiles', () => inbound(page), (s) => s.filter((x) => x.kind === 'video' && x.framesDecoded > 10).length >= 2, 60_000);
  }

  // record real VP8 (the low layer of A) to feed the synthetic publishers
  const rec = createSyntheticClient({ url: wsUrl, room: 'grid', participant: 'recorder', layers: [], audio: false, receive: true, record: true });
  await rec.start();
  await waitFor('3 s of recorded VP8', async () => rec.recording.length, (n) => n > 120, 30_000);
  await rec.stop();
  const recording = [...rec.recording];
  await waitFor('recorder gone', async () => (await qosRows(a)).length, (n) => n === 2, 20_000);

  const synth = Array.from({ length: 29 }, (_, i) => createSyntheticClient({
    url: wsUrl, room: 'grid', participant: `s${String(i + 1).padStart(2, '0')}`, name: `终端${i + 1}`,
    layers: ['q'], replay: recording, audio: true, audioLevel: 127, subscribe: false,
  }));
  t.after(() => Promise.all(synth.map((s) => s.stop())));
  for (const s of synth) await s.start();

  // A sees 31 tiles and decodes them
  const decoded = await waitFor('31 decoding tiles on A', () => inbound(a),
    (s) => s.filter((x) => x.kind === 'video' && x.framesDecoded > 5).length >= 31, 90_000, 1000);
  await sleep(3000);
  const later = await inbound(a);
  const grew = later.filter((x) => x.kind === 'video' && x.framesDecoded > (decoded.find((d) => d.mid === x.mid)?.framesDecoded ?? 0));
  assert.ok(grew.length >= 29, `frames keep decoding on most tiles (${grew.length}/31)`);
  const energy = later.filter((x) => x.kind === 'audio' && x.totalAudioEnergy > 0);
  assert.ok(energy.length >= 2, `audio energy from the two other browsers (${energy.length})`);

  // QoS: 31 rows, each with five levels; the browsers' tiles carry plausible figures
  const rows = await waitFor('31 QoS rows', () => qosRows(a), (r) => r.length === 31 && r.every((x) => x.metrics.videoKbps !== null), 30_000);
  for (const r of rows) {
    assert.deepEqual(Object.keys(r.levels).sort(), ['audioBitrate', 'blur', 'freeze', 'stutter', 'videoBitrate']);
    assert.ok(r.metrics.videoKbps! > 5 && r.metrics.videoKbps! < 3000, `video kbps plausible for ${r.participant}: ${r.metrics.videoKbps}`);
    assert.ok(r.metrics.blur.score === null || (r.metrics.blur.score >= 0 && r.metrics.blur.score <= 100));
    assert.equal(typeof r.metrics.freeze.count, 'number');
    assert.ok(r.sfu && r.sfu.layer === 'q', `grid tiles take the low layer (${r.participant}: ${r.sfu?.layer})`);
  }
  for (const pid of ['B', 'C']) {
    const r = rows.find((x) => x.participant === pid)!;
    assert.ok(r.metrics.audioKbps! > 8, `audio kbps from ${pid}: ${r.metrics.audioKbps}`);
    assert.ok(r.metrics.stutter.pct !== null && r.metrics.stutter.pct < 50, `stutter measured for ${pid}: ${r.metrics.stutter.pct}`);
    assert.ok(r.metrics.blur.qp !== null && r.metrics.blur.qp >= 0 && r.metrics.blur.qp <= 127, `QP for ${pid}: ${r.metrics.blur.qp}`);
    assert.ok(r.metrics.blur.laplacian !== null, `Laplacian sample for ${pid}`);
    assert.ok(r.metrics.fps! > 3, `fps for ${pid}: ${r.metrics.fps}`);
  }
  const dots = await tileDots(a, 'B');
  assert.equal(Object.keys(dots).length, 5);
  for (const v of Object.values(dots)) assert.match(v, /^(ok|warn|bad|idle)$/);
  // silent synthetic speakers are not in last-N: the browsers are
  const synthRow = rows.find((x) => x.participant === 's01')!;
  assert.equal(synthRow.levels.audioBitrate, 'idle');

  await waitFor('telemetry and bus QoS', async () => srv.telemetry.filter((x) => x.name === 'video').length, (n) => n > 0, 15_000);
  assert.ok(qosEvents.length > 0);

  // the grid fits one 1600×900 screen: 31 tiles + self view, none outside the viewport
  const boxes = await a.evaluate(() => [...document.querySelectorAll('.vc-tile')].map((el) => el.getBoundingClientRect().toJSON() as DOMRect));
  assert.equal(boxes.length, 31);
  for (const bx of boxes) assert.ok(bx.bottom <= 900 && bx.right <= 1600 && bx.width > 100, `tile inside the screen: ${JSON.stringify(bx)}`);
  await a.click('#qos');
  await sleep(1500);
  const shot = join(dir, 'grid-32.png');
  await a.screenshot({ path: shot });
  await copyFile(shot, process.env.KEFU_SHOT_DIR ? join(process.env.KEFU_SHOT_DIR, 'video-grid-32.png') : join(dir, 'copy.png'));
  for (const page of [a, b, c]) assert.deepEqual((page as typeof page & { kefuErrors: string[] }).kefuErrors, []);
});
