// Regression floor: the eval figures (kefu ai eval contract) must stay near what the engine reaches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseKb } from '../../plugins/chat/ai/kb-schema.js';
import { createAnswerEngine } from '../../plugins/chat/ai/engine.js';
import { evalCasesSchema, runEval } from '../../plugins/chat/ai/evaluate.js';

const read = (f: string) => JSON.parse(readFileSync(new URL(`../fixtures/faq/${f}`, import.meta.url), 'utf8'));
const engine = createAnswerEngine(parseKb(read('kb.json')));

const floors = {
  // one case below what the engine reaches (fifth round), so a regression of two cases fails
  'dev-cases.json': { in_scope_accuracy: 0.9, answer_precision: 0.97, false_answer_rate_oos: 0.1, handoff_recall_oos: 0.9, routing_accuracy: 0.96 },
  'extra-cases.json': { in_scope_accuracy: 0.94, answer_precision: 0.96, false_answer_rate_oos: 0.05, handoff_recall_oos: 0.95, routing_accuracy: 0.97 },
  'holdout-cases.json': { in_scope_accuracy: 0.97, answer_precision: 0.95, false_answer_rate_oos: 0.14, handoff_recall_oos: 0.86, routing_accuracy: 0.96 },
  'holdout2-cases.json': { in_scope_accuracy: 0.92, answer_precision: 0.97, false_answer_rate_oos: 0.08, handoff_recall_oos: 0.92, routing_accuracy: 0.96 },
  'holdout3-cases.json': { in_scope_accuracy: 0.95, answer_precision: 0.97, false_answer_rate_oos: 0.08, handoff_recall_oos: 0.92, routing_accuracy: 0.94 },
  'holdout4-cases.json': { in_scope_accuracy: 0.89, answer_precision: 0.95, false_answer_rate_oos: 0.1, handoff_recall_oos: 0.9, routing_accuracy: 0.93 },
  'holdout5-cases.json': { in_scope_accuracy: 0.86, answer_precision: 0.92, false_answer_rate_oos: 0.12, handoff_recall_oos: 0.88, routing_accuracy: 0.92 },
  // holdout6: its two answered out-of-scope questions were never inspected (kept clean); the floor records, not blesses, them
  'holdout6-cases.json': { in_scope_accuracy: 0.9, answer_precision: 0.9, false_answer_rate_oos: 0.25, handoff_recall_oos: 0.75, routing_accuracy: 0.9 },
  // probe, probe2, probe3: written by the fourth/fifth rounds' engineer; each first scored clean, then inspected
  'probe-cases.json': { in_scope_accuracy: 0.9, answer_precision: 0.98, false_answer_rate_oos: 0.05, handoff_recall_oos: 0.9, routing_accuracy: 0.95 },
  'probe2-cases.json': { in_scope_accuracy: 0.9, answer_precision: 0.89, false_answer_rate_oos: 0.2, handoff_recall_oos: 0.75, routing_accuracy: 0.93 },
  'probe3-cases.json': { in_scope_accuracy: 0.87, answer_precision: 0.89, false_answer_rate_oos: 0.36, handoff_recall_oos: 0.5, routing_accuracy: 0.9 },
};

for (const [file, floor] of Object.entries(floors)) {
  test(`eval on ${file} stays above its floor`, () => {
    const { metrics } = runEval(evalCasesSchema.parse(read(file)).tests, (q) => engine.ask(q));
    assert.ok(metrics.in_scope_accuracy >= floor.in_scope_accuracy, `in_scope_accuracy ${metrics.in_scope_accuracy}`);
    assert.ok(metrics.answer_precision >= floor.answer_precision, `answer_precision ${metrics.answer_precision}`);
    assert.ok(metrics.false_answer_rate_oos <= floor.false_answer_rate_oos, `false_answer_rate_oos ${metrics.false_answer_rate_oos}`);
    assert.ok(metrics.handoff_recall_oos >= floor.handoff_recall_oos, `handoff_recall_oos ${metrics.handoff_recall_oos}`);
    assert.ok(metrics.routing_accuracy >= floor.routing_accuracy, `routing_accuracy ${metrics.routing_accuracy}`);
  });
}

test('answer latency stays interactive (mean < 20 ms on this KB)', () => {
  const qs = read('dev-cases.json').tests.map((c: { q: string }) => c.q);
  const t0 = performance.now();
  for (let i = 0; i < 3; i++) for (const q of qs) engine.ask(q);
  assert.ok((performance.now() - t0) / (qs.length * 3) < 20);
});
