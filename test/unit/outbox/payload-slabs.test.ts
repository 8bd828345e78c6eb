import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPayloadSlabs } from '../../../daemon/outbox/payload-slabs.js';

test('payloads keep their bytes, share a slab per class, and a big one gets memory of its own', () => {
  const bytes = createPayloadSlabs();
  const texts = Array.from({ length: 2000 }, (_, i) => JSON.stringify({ i, text: '发票申领'.repeat(i % 5) }));
  const events = texts.map((t) => bytes('event', t));
  assert.deepEqual(events.map((b) => b.toString()), texts, 'later payloads never overwrite earlier ones, across slabs');
  assert.equal(events[0].buffer, events[1].buffer);
  assert.ok(new Set(events.map((b) => b.buffer)).size > 1, 'a full slab is followed by a new one');
  const bulk = bytes('bulk', texts[0]);
  assert.notEqual(bulk.buffer, events.at(-1)!.buffer, 'another class, another slab');
  const big = bytes('event', JSON.stringify('x'.repeat(20_000)));
  assert.equal(big.buffer.byteLength, big.length);
});
