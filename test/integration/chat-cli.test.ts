// `kefu ai ask|eval` keep their contracts (DESIGN.md "Evaluation commands").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const kb = 'test/fixtures/faq/kb.json';

test('kefu ai eval --json prints exactly the contract keys', { timeout: 60_000 }, async () => {
  const { stdout } = await run('node', ['cli/bin.js', 'ai', 'eval', '--kb', kb, '--cases', 'test/fixtures/faq/dev-cases.json', '--json'], { cwd: root });
  const r = JSON.parse(stdout);
  assert.deepEqual(Object.keys(r).sort(), ['answer_precision', 'false_answer_rate_oos', 'handoff_recall_oos', 'in_scope_accuracy', 'n', 'routing_accuracy']);
  assert.equal(r.n, 50);
  for (const k of Object.keys(r).filter((x) => x !== 'n')) assert.ok(r[k] >= 0 && r[k] <= 1, k);
});

test('kefu ai eval (human) shows per-style Wilson intervals; ask --json gives answer, confidence, runner-up, route', { timeout: 60_000 }, async () => {
  const { stdout } = await run('node', ['cli/bin.js', 'ai', 'eval', '--kb', kb, '--cases', 'test/fixtures/faq/dev-cases.json'], { cwd: root });
  assert.match(stdout, /by style:/);
  assert.match(stdout, /WILSON 95%/);
  const ask = JSON.parse((await run('node', ['cli/bin.js', 'ai', 'ask', '怎么开红字发漂', '--kb', kb, '--json'], { cwd: root })).stdout);
  assert.equal(ask.decision, 'answer');
  assert.equal(ask.entry.id, 'INV-02');
  assert.equal(ask.business, 'invoice');
  assert.ok(ask.runnerUp.id && ask.confidence > 0);
});

test('a broken KB fails with one line per problem and a non-zero exit', { timeout: 60_000 }, async () => {
  await assert.rejects(run('node', ['cli/bin.js', 'ai', 'ask', 'x', '--kb', 'test/fixtures/faq/dev-cases.json'], { cwd: root }),
    (err: { code: number; stderr: string }) => err.code === 1 && /CONFIG_INVALID/.test(err.stderr));
});
