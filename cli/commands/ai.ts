// `kefu ai ask|eval`: the chat plugin's answering engine from the command line.
import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { action, print, table } from '../output.js';
import { loadKb } from '../../plugins/chat/ai/kb-schema.js';
import { loadPhrasingPacks } from '../../plugins/chat/ai/phrasings.js';
import { createAnswerEngine } from '../../plugins/chat/ai/engine.js';
import { breakdown, evalCasesSchema, runEval } from '../../plugins/chat/ai/evaluate.js';
import { CommandError } from '../../protocol/errors.js';

const DEFAULT_KB = fileURLToPath(new URL('../../plugins/chat/kb-sample.json', import.meta.url));
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const PHRASINGS_HELP = "without the product's phrasing packs (plugins/chat/phrasings/): the KB's own words only";

/** the engine as the chat plugin builds it: the KB plus the phrasing packs, unless --no-phrasings */
async function engineFor(o: { kb: string; phrasings: boolean }) {
  return createAnswerEngine(await loadKb(o.kb), undefined, { phrasings: o.phrasings ? await loadPhrasingPacks() : [] });
}

export function register(program: Command): void {
  const ai = program.command('ai').description('the AI answering engine of the chat plugin');

  ai.command('ask <question>')
    .description('answer one question: decision, answer, confidence, runner-up, route')
    .option('--kb <file>', 'knowledge base (kb.json format)', DEFAULT_KB)
    .option('--no-phrasings', PHRASINGS_HELP)
    .action(action(async (question: string, o: { kb: string; phrasings: boolean }, cmd: Command) => {
      const engine = await engineFor(o);
      const t0 = performance.now();
      const r = engine.ask(question);
      const ms = Math.round((performance.now() - t0) * 100) / 100;
      print(cmd.optsWithGlobals(), { ...r, ms }, () => [
        `decision:   ${r.decision} (${r.reason})`,
        `route:      ${r.business}`,
        `confidence: ${r.confidence.toFixed(3)}  coverage ${r.coverage.toFixed(3)}  margin ${r.margin.toFixed(3)}`,
        r.entry ? `answer:     [${r.entry.id}] ${r.entry.question}\n            ${r.entry.answer}` : '',
        r.runnerUp ? `runner-up:  [${r.runnerUp.id}] ${r.runnerUp.question} (${r.runnerUp.score.toFixed(3)})` : '',
      ].filter(Boolean).join('\n'));
    }));

  ai.command('eval')
    .description('score the engine on a cases file (dev-cases.json format)')
    .requiredOption('--kb <file>', 'knowledge base (kb.json format)')
    .requiredOption('--cases <file>', 'test cases')
    .option('--errors', 'list the cases that failed')
    .option('--no-phrasings', PHRASINGS_HELP)
    .action(action(async (o: { kb: string; cases: string; errors?: boolean; phrasings: boolean }, cmd: Command) => {
      const engine = await engineFor(o);
      const parsed = evalCasesSchema.safeParse(JSON.parse(await readFile(o.cases, 'utf8')));
      if (!parsed.success) throw new CommandError('CASES_INVALID', `cases: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      const { metrics, rows } = runEval(parsed.data.tests, (q) => engine.ask(q));
      print(cmd.optsWithGlobals(), metrics, () => {
        const groups = (['style', 'lang', 'business'] as const).map((k) => `by ${k}:\n${table(breakdown(rows, k).map((g) => ({
          [k]: g.group, ok: `${g.k}/${g.n}`, rate: pct(g.rate), 'wilson 95%': `${pct(g.lo)}–${pct(g.hi)}` })))}`);
        const errs = rows.filter((x) => (x.c.expect_id === null ? x.answered : !x.correct) || !x.routed)
          .map((x) => ({ q: x.c.q.slice(0, 40), expect: x.c.expect_id ?? 'oos', got: x.r.entry?.id ?? x.r.decision, reason: x.r.reason, route: `${x.r.business}${x.routed ? '' : `≠${x.c.business}`}` }));
        return [
          `n=${metrics.n}  in-scope top-1 ${pct(metrics.in_scope_accuracy)}  precision ${pct(metrics.answer_precision)}  ` +
          `OOS answered ${pct(metrics.false_answer_rate_oos)}  OOS handed off ${pct(metrics.handoff_recall_oos)}  routing ${pct(metrics.routing_accuracy)}`,
          ...groups,
          ...(o.errors ? [`failures:\n${table(errs)}`] : []),
        ].join('\n\n');
      });
    }));
}
