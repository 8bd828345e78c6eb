// `kefu ai eval`: each case is the first message of a fresh conversation; metrics per dev-cases.json.
import { z } from 'zod';
import type { AskResult } from './engine.js';

export const evalCaseSchema = z.object({
  q: z.string(),
  expect_id: z.string().nullable(),
  business: z.string(),
  style: z.string().optional(),
  lang: z.string().optional(),
  kind: z.string().optional(),
});
export const evalCasesSchema = z.object({ tests: z.array(evalCaseSchema) });
export type EvalCase = z.infer<typeof evalCaseSchema>;

export interface EvalMetrics {
  in_scope_accuracy: number; answer_precision: number; false_answer_rate_oos: number;
  handoff_recall_oos: number; routing_accuracy: number; n: number;
}

export interface EvalRow { c: EvalCase; r: AskResult; correct: boolean; answered: boolean; handoff: boolean; routed: boolean }

export interface Interval { k: number; n: number; rate: number; lo: number; hi: number }

/** Wilson score interval at 95 % */
export function wilson(k: number, n: number, z95 = 1.96): Interval {
  if (n === 0) return { k, n, rate: 0, lo: 0, hi: 0 };
  const p = k / n, z2 = z95 * z95;
  const den = 1 + z2 / n;
  const mid = (p + z2 / (2 * n)) / den;
  const half = (z95 * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / den;
  return { k, n, rate: p, lo: Math.max(0, mid - half), hi: Math.min(1, mid + half) };
}

const ratio = (k: number, n: number) => (n === 0 ? 0 : Math.round((k / n) * 10000) / 10000);

export function runEval(cases: EvalCase[], ask: (q: string) => AskResult): { metrics: EvalMetrics; rows: EvalRow[] } {
  const rows = cases.map((c) => {
    const r = ask(c.q);
    const answered = r.decision === 'answer';
    // a refusal on the first turn shows the business menu and then hands off: it reaches a human queue
    const handoff = r.decision === 'handoff' || r.decision === 'refuse';
    return { c, r, answered, handoff, correct: answered && r.entry?.id === c.expect_id, routed: r.business === c.business };
  });
  const ins = rows.filter((x) => x.c.expect_id !== null);
  const oos = rows.filter((x) => x.c.expect_id === null);
  const answered = rows.filter((x) => x.answered);
  const metrics: EvalMetrics = {
    in_scope_accuracy: ratio(ins.filter((x) => x.correct).length, ins.length),
    answer_precision: ratio(answered.filter((x) => x.correct).length, answered.length),
    false_answer_rate_oos: ratio(oos.filter((x) => x.answered).length, oos.length),
    handoff_recall_oos: ratio(oos.filter((x) => x.handoff).length, oos.length),
    // the engine always emits a business, so routing is scored over every test
    routing_accuracy: ratio(rows.filter((x) => x.routed).length, rows.length),
    n: rows.length,
  };
  return { metrics, rows };
}

/** per style / lang / business: success = correct answer (in scope) or no answer (out of scope) */
export function breakdown(rows: EvalRow[], key: 'style' | 'lang' | 'business'): Array<{ group: string } & Interval> {
  const groups = new Map<string, EvalRow[]>();
  for (const r of rows) {
    const g = String(r.c[key] ?? '-');
    groups.set(g, [...(groups.get(g) ?? []), r]);
  }
  return [...groups].sort(([a], [b]) => a.localeCompare(b)).map(([group, rs]) => ({
    group, ...wilson(rs.filter((x) => (x.c.expect_id === null ? !x.answered : x.correct)).length, rs.length),
  }));
}
