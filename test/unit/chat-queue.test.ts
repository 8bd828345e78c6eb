import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createQueueEngine } from '../../plugins/chat/queue.js';

function setup(related: Record<string, string[]> = {}, fallbackSkill: string | null = null) {
  let t = 1_000_000;
  const clock = { now: () => t, advance: (ms: number) => { t += ms; } };
  const q = createQueueEngine({ now: clock.now, overflowAfterMs: 60_000, related, fallbackSkill, defaultHandleMs: 120_000 });
  return { q, clock };
}

test('oldest waiting first, to the longest-idle online agent', () => {
  const { q, clock } = setup();
  q.upsertAgent({ id: 'a', skills: ['invoice'], capacity: 1, status: 'online' });
  clock.advance(1000);
  q.upsertAgent({ id: 'b', skills: ['invoice'], capacity: 1, status: 'online' });
  q.enqueue('c2', 'invoice', 2000 + 1_000_000);
  q.enqueue('c1', 'invoice', 1500 + 1_000_000);
  const out = q.assign();
  assert.deepEqual(out.map((x) => [x.convId, x.agentId]), [['c1', 'a'], ['c2', 'b']]);
});

test('never assigns to an offline, away or busy agent, nor over capacity', () => {
  const { q } = setup();
  for (const status of ['offline', 'away', 'busy'] as const) q.upsertAgent({ id: status, skills: ['iit'], capacity: 5, status });
  q.upsertAgent({ id: 'on', skills: ['iit'], capacity: 1, status: 'online' });
  q.enqueue('x', 'iit'); q.enqueue('y', 'iit');
  assert.deepEqual(q.assign().map((a) => a.agentId), ['on']);
  assert.equal(q.position('y'), 1);
  assert.deepEqual(q.assign(), []);
});

test('overflow to a related skill only after the timeout; direct skill preferred', () => {
  const { q, clock } = setup({ refund: ['declaration'] });
  q.upsertAgent({ id: 'd', skills: ['declaration'], capacity: 2, status: 'online' });
  q.enqueue('r1', 'refund');
  assert.deepEqual(q.assign(), []);
  clock.advance(59_000);
  assert.deepEqual(q.assign(), []);
  clock.advance(2_000);
  const [a] = q.assign();
  assert.equal(a.agentId, 'd');
  assert.equal(a.overflow, true);
});

test('position and ETA follow handling times and update as the queue moves', () => {
  const { q, clock } = setup();
  q.upsertAgent({ id: 'a', skills: ['general'], capacity: 1, status: 'online' });
  q.enqueue('busy', 'general');
  q.assign();
  q.enqueue('w1', 'general'); clock.advance(1); q.enqueue('w2', 'general');
  assert.equal(q.position('w2'), 2);
  assert.equal(q.etaMs('w2'), 240_000);
  q.release('a', 'general', 30_000);
  q.assign();
  assert.equal(q.position('w2'), 1);
  assert.equal(q.etaMs('w2'), 30_000);
});

test('coming back online does not jump the idle line', () => {
  const { q, clock } = setup();
  q.upsertAgent({ id: 'a', skills: ['g'], capacity: 1, status: 'online' });
  clock.advance(10);
  q.upsertAgent({ id: 'b', skills: ['g'], capacity: 1, status: 'online' });
  q.setStatus('a', 'away'); clock.advance(10); q.setStatus('a', 'online');
  q.enqueue('c', 'g');
  assert.equal(q.assign()[0].agentId, 'b');
});

test('property: assignments respect status, skills and capacity; nothing is lost', () => {
  fc.assert(fc.property(
    fc.array(fc.record({ status: fc.constantFrom('online', 'busy', 'away', 'offline'), cap: fc.integer({ min: 1, max: 3 }), skill: fc.constantFrom('a', 'b') }), { maxLength: 5 }),
    fc.array(fc.constantFrom('a', 'b'), { maxLength: 12 }),
    (agents, convs) => {
      const { q } = setup();
      agents.forEach((a, i) => q.upsertAgent({ id: `ag${i}`, skills: [a.skill], capacity: a.cap, status: a.status as 'online' }));
      convs.forEach((s, i) => q.enqueue(`c${i}`, s, i));
      const out = q.assign();
      for (const x of out) {
        const ag = q.agent(x.agentId)!;
        assert.equal(ag.status, 'online');
        assert.ok(ag.skills.includes(x.skill));
      }
      for (const ag of q.agents()) assert.ok(ag.load <= ag.capacity);
      assert.equal(out.length + q.waiting().length, convs.length);
    }));
});

test('general counter staff take any queue after the overflow timeout (fallback skill)', () => {
  const { q, clock } = setup({}, 'general');
  q.upsertAgent({ id: 'g', skills: ['general'], capacity: 1, status: 'online' });
  q.enqueue('p', 'property');
  assert.deepEqual(q.assign(), []);
  clock.advance(60_000);
  assert.equal(q.assign()[0]?.agentId, 'g');
});

test('snapshot gives the same positions as position()', () => {
  const { q, clock } = setup();
  for (const [i, s] of ['a', 'b', 'a', 'a', 'b'].entries()) { q.enqueue(`c${i}`, s); clock.advance(1); }
  for (const x of q.snapshot()) { assert.equal(x.position, q.position(x.convId)); assert.equal(x.etaMs, q.etaMs(x.convId)); }
});
