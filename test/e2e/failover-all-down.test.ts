// Every link down for a minute on real namespaces (the minutes-long run is `npm run bench -- failover 1
// all-down-long`): the outbox keeps persisting, the box does not spin the CPU or grow, and the backlog is
// delivered in order after recovery with nothing lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFailoverHarness } from '../sim/failover-harness.js';
import { runAllDown } from '../sim/failover-all-down.js';

const OUTAGE_MS = Number(process.env.KEFU_ALL_DOWN_MS ?? 60_000);

test(`all links down for ${OUTAGE_MS / 1000} s: persisted, quiet, then drained in order with nothing lost`, { timeout: OUTAGE_MS + 150_000 }, async (t) => {
  const h = await createFailoverHarness({ outbox: true, tag: `${process.pid}d`, options: { holdDownMs: 2000, flapWindowMs: 1000, maxSwitchesPerHour: 1000 } });
  t.after(() => h.close());
  await h.ready('5g', 30_000);
  const r = await runAllDown(h, { outageMs: OUTAGE_MS });
  t.diagnostic(JSON.stringify(r));
  const expected = (OUTAGE_MS / 20) * 0.5;
  assert.ok(r.enqueued_during_outage >= expected, `only ${r.enqueued_during_outage} events persisted during the outage (publisher offers one per 20 ms)`);
  assert.equal(r.delivered_during_outage, 0, 'events reached the broker while every link was down: the cut was not real');
  assert.ok(r.pending_at_restore >= r.enqueued_during_outage, `outbox held ${r.pending_at_restore} at the restore`);
  // a reconnect loop without backoff shows up as a busy core; idle-with-publishing stays within a few per cent
  assert.ok(r.cpu_outage_pct <= Math.max(10, 2 * r.cpu_connected_pct), `box CPU ${r.cpu_outage_pct} % during the outage (connected: ${r.cpu_connected_pct} %)`);
  assert.ok(r.cpu_outage_quiet_pct <= 10, `box CPU ${r.cpu_outage_quiet_pct} % during the outage with the publisher paused`);
  assert.ok(r.rss_mb_outage_end - r.rss_mb_outage_start <= 40, `RSS grew from ${r.rss_mb_outage_start} to ${r.rss_mb_outage_end} MB`);
  // bounded backoff: the link is used within seconds of coming back, however long the outage lasted
  assert.ok(r.first_ack_ms <= 5000, `first PUBACK ${r.first_ack_ms} ms after the links came back`);
  assert.ok(r.drain_ms <= 30_000, `the backlog took ${r.drain_ms} ms to drain`);
  assert.equal(r.lost, 0);
  assert.equal(r.effective_dups, 0);
  assert.equal(r.out_of_order, 0, `${r.out_of_order} events arrived after a later one`);
});
