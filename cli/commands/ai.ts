// `kefu ai ask|eval`: the chat plugin's answering engine from the command line.
import type { Command } from 'commander';
import { access, readFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { action, print, table } from '../output.js';
import { loadKb } from '../../plugins/chat/ai/kb-schema.js';
import { loadPhrasingPacks, packFromCases, withoutQuestions } from '../../plugins/chat/ai/phrasings.js';
import { writeFile } from 'node:fs/promises';
import { createAnswerEngine } from '../../plugins/chat/ai/engine.js';
import { breakdown, evalCasesSchema, runEval } from '../../plugins/chat/ai/evaluate.js';
import { CommandError, ConfigError } from '../../protocol/errors.js';
import type { AnswerEngine } from '../../plugins/chat/ai/engine.js';

const DEFAULT_KB = fileURLToPath(new URL('../../plugins/chat/kb-sample.json', import.meta.url));
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const PHRASINGS_HELP = "without the product's phrasing packs (plugins/chat/phrasings/): the KB's own words only";

const KB_HELP = 'knowledge base (kb.json format; default: the bundled tax-hall sample)';
const reason = (err: unknown) => (err as NodeJS.ErrnoException).code ?? (err as Error).message;

/**
 * the engine as the chat plugin builds it: the KB plus the phrasing packs, unless --no-phrasings. `heldOut`: questions
 * the packs must not teach it (an evaluation's own cases)
 */
async function engineFor(o: { kb: string; phrasings: boolean }, heldOut: readonly string[] = []) {
  // a KB named on the command line is a data file, not the box's configuration: say so in its errors
  const kb = await loadKbFile(o.kb);
  return createAnswerEngine(kb, undefined, { phrasings: o.phrasings ? withoutQuestions(await loadPhrasingPacks(), heldOut) : [] });
}

async function loadKbFile(file: string) {
  await access(file, constants.R_OK).catch((err: unknown) => { throw new CommandError('KB_UNREADABLE', `cannot read KB file ${file} (${reason(err)})`); });
  return loadKb(file).catch((err: unknown) => {
    if (err instanceof ConfigError) throw new CommandError('KB_INVALID', `KB file ${file} is not a valid knowledge base:\n  ${err.issues.map((i) => i.replace(/^kb: /, '')).join('\n  ')}`);
    throw err;
  });
}

async function parseCases(file: string) {
  const parsed = evalCasesSchema.safeParse(await readCases(file));
  if (!parsed.success) throw new CommandError('CASES_INVALID', `cases file ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data.tests;
}

async function readCases(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8').catch((err: unknown) => { throw new CommandError('CASES_UNREADABLE', `cannot read cases file ${file} (${reason(err)})`); });
  try { return JSON.parse(text); } catch (err) {
    throw new CommandError('CASES_NOT_JSON', `cases file ${file} is not JSON (dev-cases.json format expected): ${(err as Error).message}`);
  }
}

/** an entry's title in the question's language (the English gloss when the KB has one) */
const titleOf = (engine: AnswerEngine, id: string, lang: 'zh' | 'en') => {
  const e = engine.kb.kb.find((x) => x.id === id);
  return lang === 'en' && e?.question_en ? e.question_en : e?.question ?? id;
};

export function register(program: Command): void {
  const ai = program.command('ai').description('the AI answering engine of the chat plugin');

  ai.command('ask <question>')
    .description('answer one question: decision, answer, confidence, runner-up, route')
    .option('--kb <file>', KB_HELP, DEFAULT_KB)
    .option('--no-phrasings', PHRASINGS_HELP)
    .action(action(async (question: string, o: { kb: string; phrasings: boolean }, cmd: Command) => {
      if (!question.trim()) throw new CommandError('QUESTION_EMPTY', 'the question is empty: give what a customer would type, e.g. kefu ai ask "发票怎么查验真伪"');
      const engine = await engineFor(o);
      const t0 = performance.now();
      const r = engine.ask(question);
      const ms = Math.round((performance.now() - t0) * 100) / 100;
      // what the terminal offers as buttons when the engine asks back (the router takes the top 3)
      const choices = r.decision === 'clarify' ? r.candidates.slice(0, 3).map((c) => ({ id: c.id, question: titleOf(engine, c.id, r.lang), score: c.score })) : undefined;
      print(cmd.optsWithGlobals(), { ...r, ...(choices ? { choices } : {}), ms }, () => [
        `decision:   ${r.decision} (${r.reason})`,
        `route:      ${r.business}`,
        `confidence: ${r.confidence.toFixed(3)}  coverage ${r.coverage.toFixed(3)}  margin ${r.margin.toFixed(3)}`,
        r.entry ? `answer:     [${r.entry.id}] ${r.entry.question}\n            ${r.entry.answer}` : '',
        choices ? `choices:    ${choices.map((c, i) => `${i + 1}. [${c.id}] ${c.question} (${c.score.toFixed(3)})`).join('\n            ')}` : '',
        r.runnerUp ? `runner-up:  [${r.runnerUp.id}] ${titleOf(engine, r.runnerUp.id, r.lang)} (${r.runnerUp.score.toFixed(3)})` : '',
        r.learned ? `learned:    [${r.learned.id}] p ${r.learned.p.toFixed(3)}, no entry ${r.learned.none.toFixed(3)}` : '',
      ].filter(Boolean).join('\n'));
    }));

  ai.command('eval')
    .description('score the engine on a cases file (dev-cases.json format)')
    .option('--kb <file>', KB_HELP, DEFAULT_KB)
    .requiredOption('--cases <file>', 'test cases')
    .option('--errors', 'list the cases that failed')
    .option('--no-phrasings', PHRASINGS_HELP)
    .action(action(async (o: { kb: string; cases: string; errors?: boolean; phrasings: boolean }, cmd: Command) => {
      const cases = await parseCases(o.cases);
      // a case the packs hold is left out of them: the engine is scored only on questions it did not learn from
      const engine = await engineFor(o, cases.map((c) => c.q));
      const { metrics, rows } = runEval(cases, (q) => engine.ask(q));
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

  ai.command('pack')
    .description("make a phrasing pack of labelled customer questions (cases files in dev-cases.json format): they teach the engine's learned ranking, and only that")
    .option('--kb <file>', KB_HELP, DEFAULT_KB)
    .requiredOption('--cases <files...>', 'labelled questions (expect_id null: no entry answers it)')
    .requiredOption('-o, --out <file>', 'the pack to write (put it in plugins/chat/phrasings/ to use it)')
    .option('--source <text>', 'where the questions come from', 'labelled customer questions')
    .action(action(async (o: { kb: string; cases: string[]; out: string; source: string }, cmd: Command) => {
      const kb = await loadKbFile(o.kb);
      const cases = (await Promise.all(o.cases.map(parseCases))).flat();
      let pack;
      try { pack = packFromCases(kb, cases, o.source); } catch (err) {
        if (err instanceof ConfigError) throw new CommandError('CASE_UNKNOWN_ENTRY', err.issues.join('\n'));
        throw err;
      }
      await writeFile(o.out, `${JSON.stringify(pack, null, 1)}\n`);
      const asked = pack.entries.reduce((n, e) => n + (e.asked?.length ?? 0), 0);
      const summary = { out: o.out, entries: pack.entries.length, asked, out_of_scope: pack.out_of_scope?.length ?? 0, duplicates: cases.length - asked - (pack.out_of_scope?.length ?? 0) };
      print(cmd.optsWithGlobals(), summary, () => `${o.out}: ${asked} questions for ${summary.entries} entries, ${summary.out_of_scope} out of scope (${summary.duplicates} duplicates left out)`);
    }));
}
