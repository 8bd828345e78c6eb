// Group commit of the master's ingestion: batching by turn and during a commit, the batch cap, failures
// confined to their batch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGroupCommit } from '../../master/ingest/group-commit.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => { resolve = r; });
  return { promise, resolve };
}

test('items added in one turn are one commit; items added during a commit are the next one', async () => {
  const batches: number[][] = [];
  const gate = deferred();
  const gc = createGroupCommit<number, string>({
    maxBatch: 100,
    async commit(items) {
      batches.push(items);
      if (batches.length === 1) await gate.promise;
      return items.map((i) => `ok ${i}`);
    },
  });
  const results: Array<[number, string | undefined]> = [];
  for (const i of [1, 2, 3]) gc.add(i, (err, r) => { assert.equal(err, null); results.push([i, r]); });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(batches, [[1, 2, 3]], 'the first turn is one batch');
  for (const i of [4, 5]) gc.add(i, (_err, r) => results.push([i, r]));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(batches.length, 1, 'nothing else commits while a commit runs');
  assert.equal(results.length, 0, 'no item is answered before its commit');
  gate.resolve();
  await gc.drain();
  assert.deepEqual(batches, [[1, 2, 3], [4, 5]]);
  assert.deepEqual(results, [[1, 'ok 1'], [2, 'ok 2'], [3, 'ok 3'], [4, 'ok 4'], [5, 'ok 5']]);
  assert.equal(gc.pending, 0);
});

test('a batch holds at most maxBatch items; a failed commit fails only its own items', async () => {
  const batches: number[][] = [];
  const gc = createGroupCommit<number, number>({
    maxBatch: 4,
    async commit(items) {
      batches.push(items);
      if (items.includes(6)) throw new Error('disk full');
      return items;
    },
  });
  const outcome = new Map<number, string>();
  for (let i = 1; i <= 10; i++) gc.add(i, (err) => outcome.set(i, err ? err.message : 'ok'));
  await gc.drain();
  assert.deepEqual(batches, [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10]]);
  assert.deepEqual([...outcome.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v), ['ok', 'ok', 'ok', 'ok', 'disk full', 'disk full', 'disk full', 'disk full', 'ok', 'ok']);
});

test('a callback that throws is reported and does not stop the queue', async () => {
  const errors: string[] = [];
  const gc = createGroupCommit<number, number>({ maxBatch: 10, commit: async (items) => items, onCallbackError: (e) => errors.push(e.message) });
  const seen: number[] = [];
  gc.add(1, () => { throw new Error('listener bug'); });
  gc.add(2, (_e, r) => seen.push(r!));
  await gc.drain();
  gc.add(3, (_e, r) => seen.push(r!));
  await gc.drain();
  assert.deepEqual(seen, [2, 3]);
  assert.deepEqual(errors, ['listener bug']);
});
