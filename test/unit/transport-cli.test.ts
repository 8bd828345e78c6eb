// Pure helpers of `kefu transports` and `kefu relay ble`: durations, host:port, the status table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration, renderStatus } from '../../cli/commands/transports.js';
import { parseHostPort } from '../../cli/commands/relay.js';

test('durations for --for', () => {
  assert.equal(parseDuration('90s'), 90_000);
  assert.equal(parseDuration('10m'), 600_000);
  assert.equal(parseDuration('1.5h'), 5_400_000);
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('30'), 30_000);
  assert.throws(() => parseDuration('soon'), /not a duration/);
});

test('host:port for --broker', () => {
  assert.deepEqual(parseHostPort('10.99.100.1:1883'), { host: '10.99.100.1', port: 1883 });
  assert.deepEqual(parseHostPort('[::1]:8883'), { host: '::1', port: 8883 });
  assert.throws(() => parseHostPort('broker'), /not host:port/);
  assert.throws(() => parseHostPort('broker:99999'), /not host:port/);
});

test('status table shows link, quality, active marker and the last switch reason', () => {
  const now = Date.now();
  const out = renderStatus({
    active: '4g', forced: null, order: ['5g', '4g', 'eth'], switchesLastHour: 1,
    lastSwitch: { at: now - 5000, from: '5g', to: '4g', kind: 'failover', reason: '5g: link down: wwan5g down' },
    switches: [],
    links: [
      { id: '5g', kind: 'nr5g', rank: 0, active: false, alive: false, good: false, reason: 'link down: wwan5g down', lossPct: 40, rttMs: null, goodSince: null, holdDownMs: 60000, recentFailures: 1, status: 'down', quality: 0, since: now - 5000, detail: null, bytesOut: 10, bytesIn: 20, budgetBytes: null, budgetUsed: 30,
        lastError: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 10.0.0.1:8883: nothing listens there', at: now - 2000, since: now - 60_000, attempts: 7 } },
      { id: '4g', kind: 'lte', rank: 1, active: true, alive: true, good: true, reason: null, lossPct: 0, rttMs: 42, goodSince: now - 60000, holdDownMs: 60000, recentFailures: 0, status: 'up', quality: 1, since: now - 60000, detail: null, bytesOut: 1000, bytesIn: 500, budgetBytes: 1_000_000, budgetUsed: 1500 },
    ],
  } as unknown as Parameters<typeof renderStatus>[0]);
  assert.match(out, /^ID\s+KIND\s+STATUS\s+QUALITY\s+ACTIVE\s+SINCE\s+TRAFFIC/m);
  assert.match(out, /5g\s+nr5g\s+down\s+link down: wwan5g down/);
  assert.match(out, /4g\s+lte\s+up\s+rtt 42 ms, loss 0%\s+\*/);
  assert.match(out, /budget 1500\/1000000/);
  assert.match(out, /^why 5g\s+ECONNREFUSED 2s ago: connect ECONNREFUSED 10\.0\.0\.1:8883: nothing listens there \(7 attempts since 60s ago\)$/m);
  assert.match(out, /last switch\s+5s ago: 5g → 4g \(failover\) 5g: link down: wwan5g down/);
});
