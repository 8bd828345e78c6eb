// The clause of a long question that carries the ask. A customer's story ("我们是做钢结构的，下个月去外省干活，…，
// 那边税务局要我们先报个什么表") covers any entry thinly, however right the match: its scene words are nobody's.
// The clause that asks (a question word, a particle, a question mark) says what the customer wants; when it is
// well covered by the entry that leads clearly, the story around it does not sink the answer.

/** a Chinese clause that asks: question words, A-not-A forms, sentence-final particles */
const ASK_ZH = /吗|么|呢|怎|如何|哪|什么|啥|咋|多少|多久|几|能不能|可不可以|是不是|要不要|有没有|能否|是否|行不|成不|[\u4e00-\u9fff]不[\u4e00-\u9fff]?$/;
/** an English clause that asks: it opens with a question word or an auxiliary */
const ASK_EN = /^\s*(how|what|where|when|which|who|why|can|could|do|does|did|is|are|should|will|would|may|any|anything|is there)\b/i;
const SPLIT_ZH = /[，,。？?！!；;\s]+/;
const SPLIT_EN = /[.?!;,]+/;

/**
 * the last (at most two) asking clauses of a question of several clauses, joined; null for a question of one clause
 * or with no asking clause (then the whole question is the ask)
 */
export function askClause(question: string, zh: boolean): string | null {
  const clauses = question.split(zh ? SPLIT_ZH : SPLIT_EN).map((c) => c.trim()).filter(Boolean);
  if (clauses.length < 2) return null;
  const asking = clauses.filter((c) => (zh ? ASK_ZH : ASK_EN).test(c));
  return asking.length ? asking.slice(-2).join(zh ? '，' : ', ') : null;
}
