// `kefu ai ask|eval` keep their contracts (DESIGN.md "Evaluation commands").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPhrasingPacks } from '../../plugins/chat/ai/phrasings.js';

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
    (err: { code: number; stderr: string }) => err.code === 1 && /KB file .*dev-cases\.json is not a valid knowledge base/.test(err.stderr) && /\[KB_INVALID\]/.test(err.stderr));
});

// regressions from the new-user walkthrough
const fails = (args: string[], re: RegExp) => assert.rejects(run('node', ['cli/bin.js', ...args], { cwd: root }),
  (err: { code: number; stderr: string }) => { assert.equal(err.code, 1); assert.match(err.stderr, re); return true; });

test('kefu ai: a missing KB file, a cases file that is not JSON and an empty question each fail with the file named and their own code', { timeout: 60_000 }, async () => {
  await fails(['ai', 'ask', 'x', '--kb', 'nope.json'], /^kefu: cannot read KB file nope\.json \(ENOENT\) \[KB_UNREADABLE\]$/m);
  await fails(['ai', 'eval', '--kb', kb, '--cases', 'README.md'], /cases file README\.md is not JSON.*\[CASES_NOT_JSON\]/);
  await fails(['ai', 'ask', '  '], /question is empty.*\[QUESTION_EMPTY\]/);
});

test('kefu ai eval defaults --kb like ask; ask lists the clarify choices, in English for an English question', { timeout: 60_000 }, async () => {
  const { stdout } = await run('node', ['cli/bin.js', 'ai', 'eval', '--cases', 'test/fixtures/faq/dev-cases.json', '--json'], { cwd: root });
  assert.equal(JSON.parse(stdout).n, 50);
  const human = (await run('node', ['cli/bin.js', 'ai', 'ask', 'how do I get an invoice'], { cwd: root })).stdout;
  assert.match(human, /decision: +clarify/);
  const choices = human.match(/^(?:choices:)? +\d\. \[[A-Z]+-\d+\] .+$/gm) ?? [];
  assert.equal(choices.length, 3, human);
  for (const line of [...choices, ...human.split('\n').filter((l) => l.startsWith('runner-up'))]) assert.doesNotMatch(line, /[\u4e00-\u9fff]/, line);
});

test('kefu ai pack turns labelled cases into a pack the engine loads; a case naming no KB entry is refused', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kefu-pack-'));
  try {
    const out = join(dir, 'mine.json');
    const { stdout } = await run('node', ['cli/bin.js', 'ai', 'pack', '--kb', kb, '--cases', 'test/fixtures/faq/dev-cases.json', 'test/fixtures/faq/extra-cases.json', '-o', out, '--json'], { cwd: root });
    const summary = JSON.parse(stdout);
    const pack = (await loadPhrasingPacks(dir))[0];
    assert.equal(summary.entries, pack.entries.length);
    assert.equal(summary.asked, pack.entries.reduce((n, e) => n + (e.asked?.length ?? 0), 0));
    assert.equal(summary.out_of_scope, pack.out_of_scope?.length);
    assert.ok(summary.asked > 50 && summary.out_of_scope > 5, stdout);
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ tests: [{ q: '发票', expect_id: 'INV-99', business: 'invoice' }] }));
    await fails(['ai', 'pack', '--kb', kb, '--cases', bad, '-o', join(dir, 'x.json')], /INV-99: no such entry in the KB.*\[CASE_UNKNOWN_ENTRY\]/s);
  } finally { await rm(dir, { recursive: true, force: true }); }
});
