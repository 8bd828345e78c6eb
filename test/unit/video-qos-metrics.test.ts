// QoS figures from cumulative getStats() samples and their amber/red levels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeTile, tileLevels, type Sample } from '../../plugins/video/qos/metrics.js';
import { createQosCollector } from '../../plugins/video/qos/collector.js';

function series(n: number, f: (i: number) => Partial<Sample>): Sample[] {
  return Array.from({ length: n }, (_, i) => ({ ts: i * 1000, ...f(i) }) as Sample);
}

test('healthy stream: bitrates, QP-based sharpness, no freeze, little stutter → all ok', () => {
  const h = series(11, (i) => ({
    video: { mid: '0', kind: 'video', bytesReceived: i * 40_000, packetsReceived: i * 40, packetsLost: 0, framesDecoded: i * 15, qpSum: i * 15 * 30, freezeCount: 0, totalFreezesDuration: 0, frameWidth: 320, frameHeight: 180 },
    audio: { mid: '1', kind: 'audio', bytesReceived: i * 4000, totalSamplesReceived: i * 48000, concealedSamples: i * 100, concealmentEvents: 0 },
    laplacian: 300,
  }));
  const m = computeTile(h);
  assert.equal(Math.round(m.videoKbps!), 320);
  assert.equal(Math.round(m.audioKbps!), 32);
  assert.equal(m.blur.qp, 30);
  assert.equal(m.blur.score, 88);
  assert.equal(m.fps, 15);
  assert.ok(m.stutter.pct! < 0.3);
  assert.deepEqual(tileLevels(m, { videoOn: true, audible: true }), { videoBitrate: 'ok', blur: 'ok', freeze: 'ok', stutter: 'ok', audioBitrate: 'ok' });
});

test('freeze, loss-driven stutter, blocky low bitrate → amber/red', () => {
  const h = series(11, (i) => ({
    video: { mid: '0', kind: 'video', bytesReceived: i * 2000, packetsReceived: i * 10, packetsLost: i * 3, framesDecoded: i < 9 ? i * 15 : 120, qpSum: i * 15 * 110, freezeCount: i > 7 ? 1 : 0, totalFreezesDuration: i > 7 ? 2.5 : 0 },
    audio: { mid: '1', kind: 'audio', bytesReceived: i * 500, totalSamplesReceived: i * 48000, concealedSamples: i * 9000, concealmentEvents: i * 4 },
  }));
  const m = computeTile(h);
  const l = tileLevels(m, { videoOn: true, audible: true });
  assert.equal(m.freeze.frozenNow, true);
  assert.equal(l.freeze, 'bad');
  assert.equal(l.videoBitrate, 'bad');
  assert.equal(l.blur, 'bad');
  assert.equal(l.stutter, 'bad');
  assert.equal(l.audioBitrate, 'bad');
  assert.ok(m.lossPct! > 20);
});

test('not audible or video off → idle, never red', () => {
  const m = computeTile(series(3, () => ({})));
  assert.deepEqual(tileLevels(m, { videoOn: false, audible: false }), { videoBitrate: 'idle', blur: 'idle', freeze: 'idle', stutter: 'idle', audioBitrate: 'idle' });
});

test('collector maps mids to publishers per viewer and rolls up the worst viewer', () => {
  const col = createQosCollector({});
  const byMid = new Map([['0', { participant: 'B', kind: 'video' as const }], ['1', { participant: 'B', kind: 'audio' as const }]]);
  for (let i = 0; i < 4; i++) {
    col.ingest('A', i * 1000, [{ mid: '0', kind: 'video', bytesReceived: i * 50_000, framesDecoded: i * 15 }, { mid: '9', kind: 'video', bytesReceived: 1 }], byMid, undefined);
    col.ingest('C', i * 1000, [{ mid: '0', kind: 'video', bytesReceived: i * 1000, framesDecoded: i * 15 }], byMid, undefined);
  }
  const ctx = { audible: () => false, videoOn: () => true, sfu: () => null };
  assert.equal(col.report('A', ctx).length, 1);
  col.report('C', ctx);
  const roll = col.rollup();
  assert.equal(roll.length, 1);
  assert.equal(roll[0]!.viewers, 2);
  assert.equal(roll[0]!.worst.videoBitrate, 'bad');
  assert.equal(Math.round(roll[0]!.videoKbps!), 8);
});
