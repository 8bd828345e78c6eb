// The IVR logic shared by chat and voice: identify the business, apply its mode and hours, answer, ask,
// offer the business menu, or hand off. "转人工" always wins; the bot is silent once a human owns the chat.
import type { AskResult } from './ai/engine.js';
import type { KnowledgeBase } from './ai/kb-schema.js';
import { toErrorBody } from '../../protocol/errors.js';
import type { Button, Conversation } from './model.js';

export type BusinessMode = 'ai_only' | 'ai_first' | 'human_only';

export interface BotReply { text: string; buttons?: Button[]; kbId?: string }

export interface RouteResult {
  replies: BotReply[];
  handoff?: { business: string; reason: string };
  patch: Partial<Pick<Conversation, 'business' | 'misses' | 'lastKbId' | 'lang'>>;
  /** the engine's view, for logs and the agent's context */
  decision?: string;
  /** why the engine could not be asked (the customer was handed to a human instead) */
  error?: { code: string; message: string };
}

/** the engine inline (`kefu ai`, tests) or on its own thread (the plugin) */
export interface AnswerSource {
  readonly kb: KnowledgeBase;
  ask(q: string): AskResult | Promise<AskResult>;
}

export interface RouterDeps {
  engine: AnswerSource;
  businesses: Record<string, string>;
  modeOf(business: string): BusinessMode;
  /** whether humans serve this business right now; false → tell the customer when */
  humansOpen(business: string): boolean;
}

export interface CustomerInput { text?: string; value?: string }

const T = {
  zh: {
    solved: '有没有解决您的问题？', yes: '已解决', no: '没解决', human: '转人工',
    clarify: '您想问的是下面哪一个？', maybe: '您是不是想问：', none: '都不是', thanks: '很高兴能帮到您！还有其他问题可以继续问我。',
    menu: '抱歉，这个问题我暂时无法准确回答。请选择您要办理的业务，我为您转接人工客服：',
    smalltalk: '您好！我是办税服务厅智能客服，可以解答发票、登记、申报、退税、证明、个税、社保等问题，请直接输入您的问题；需要人工请点“转人工”。',
    offTopic: '抱歉，这个我帮不上忙。我是办税服务厅智能客服，可以解答发票、登记、申报、退税、证明、个税、社保等问题；需要人工请点“转人工”。',
    aiOnly: '该业务暂不提供在线人工服务，请到办税服务厅窗口咨询。', closed: '当前不在人工服务时间，您可以稍后再试或到窗口咨询。我仍可以继续回答您的问题。',
  },
  en: {
    solved: 'Did this solve your problem?', yes: 'Solved', no: 'Not solved', human: 'Human agent',
    clarify: 'Which of these did you mean?', maybe: 'Did you mean:', none: 'None of these', thanks: 'Glad I could help! Ask me anything else.',
    menu: "Sorry, I can't answer that reliably. Choose your business and I will connect you to an agent:",
    smalltalk: 'Hello! I am the service hall assistant: ask me about invoices, registration, filing, refunds, certificates, income tax or social insurance. Tap “Human agent” any time.',
    offTopic: "Sorry, I can't help with that. I am the service hall assistant: ask me about invoices, registration, filing, refunds, certificates, income tax or social insurance. Tap “Human agent” any time.",
    aiOnly: 'This business has no online agents; please ask at a service-hall window.', closed: 'Agents are not on duty right now; please try later or ask at a window. I can still answer questions.',
  },
};

/** share of the question an entry must cover to be offered as "did you mean" after a refusal */
const NEAR_MISS = 0.15;

export function businessLabel(label: string, lang: 'zh' | 'en'): string {
  // kb.json labels are "中文 english"; show the half that matches the language
  const m = label.match(/^([^a-zA-Z]+)\s+(.+)$/);
  if (!m) return label;
  return lang === 'zh' ? m[1].trim() : m[2].trim();
}

export async function route(conv: Conversation, input: CustomerInput, deps: RouterDeps): Promise<RouteResult> {
  if (conv.owner !== 'bot' || conv.status === 'closed') return { replies: [], patch: {} };
  const lang = conv.lang;
  const t = T[lang];
  const handoff = (business: string, reason: string, patch: RouteResult['patch'] = {}): RouteResult => {
    if (deps.modeOf(business) === 'ai_only' && reason !== 'human_request' && reason !== 'complaint') {
      return { replies: [{ text: t.aiOnly }], patch: { ...patch, business } };
    }
    if (!deps.humansOpen(business)) return { replies: [{ text: t.closed }], patch: { ...patch, business } };
    return { replies: [], handoff: { business, reason }, patch: { ...patch, business } };
  };
  // an entry a KB edit removed since the engine answered is left out
  const entryButtons = (candidates: ReadonlyArray<{ id: string }>): Button[] => candidates.flatMap((c) => {
    const e = deps.engine.kb.kb.find((x) => x.id === c.id);
    return e ? [{ label: lang === 'en' && e.question_en ? e.question_en : e.question, value: `kb:${c.id}` }] : [];
  });
  const answerButtons: Button[] = [{ label: t.yes, value: 'resolved' }, { label: t.no, value: 'unresolved' }, { label: t.human, value: 'human' }];
  const answerEntry = (id: string): RouteResult => {
    const e = deps.engine.kb.kb.find((x) => x.id === id);
    if (!e) return { replies: [], patch: {} };
    const text = lang === 'en' && e.answer_en ? e.answer_en : e.answer;
    return { replies: [{ text, kbId: e.id }, { text: t.solved, buttons: answerButtons }], patch: { business: e.business, lastKbId: e.id, misses: 0 }, decision: 'answer' };
  };
  const fallbackBusiness = conv.business ?? 'general';

  if (input.value) {
    const v = input.value;
    if (v === 'human') return handoff(fallbackBusiness, 'human_request');
    if (v === 'resolved') return { replies: [{ text: t.thanks }], patch: { misses: 0 } };
    if (v === 'unresolved') return handoff(fallbackBusiness, 'unresolved', { misses: conv.misses + 1 });
    if (v.startsWith('kb:')) return answerEntry(v.slice(3));
    if (v.startsWith('biz:') && v.slice(4) in deps.businesses) return handoff(v.slice(4), 'menu');
    return { replies: [], patch: {} };
  }

  const text = (input.text ?? '').trim();
  if (!text) return { replies: [], patch: {} };
  let r: AskResult;
  try {
    r = await deps.engine.ask(text);
  } catch (err) {
    // never leave the customer without a reply: with no AI, a human of the business the chat has established
    return { ...handoff(fallbackBusiness, 'ai_unavailable'), decision: 'error', error: toErrorBody(err) };
  }
  // "转人工" says nothing about the business: keep what the conversation already established
  const business = r.businessEvidence > 0 || !conv.business ? r.business : conv.business;
  const patch: RouteResult['patch'] = { business };
  if (r.decision === 'handoff') return { ...handoff(business, r.reason, patch), decision: r.decision };
  if (deps.modeOf(r.business) === 'human_only') return { ...handoff(r.business, 'human_only', patch), decision: r.decision };
  if (r.decision === 'answer' && r.entry) return answerEntry(r.entry.id);
  if (r.decision === 'clarify') {
    const buttons = entryButtons(r.candidates.slice(0, 3));
    return { replies: [{ text: t.clarify, buttons: [...buttons, { label: t.none, value: 'unresolved' }] }], patch, decision: r.decision };
  }
  // chit-chat is neither a miss nor a reason to hand off: the customer hears what the assistant is for
  if (r.reason === 'smalltalk' || r.reason === 'off_topic') {
    return { replies: [{ text: r.reason === 'smalltalk' ? t.smalltalk : t.offTopic }], patch: {}, decision: r.decision };
  }
  // refuse: a second miss in a row goes straight to a human of the identified business
  const misses = conv.misses + 1;
  if (misses >= 2) return { ...handoff(business, 'unanswered', { ...patch, misses }), decision: r.decision };
  const ids = [business, ...Object.keys(deps.businesses).filter((b) => b !== business && b !== 'complaint')];
  const buttons = ids.map((b) => ({ label: businessLabel(deps.businesses[b], lang), value: `biz:${b}` }));
  // a near miss (the question was only partly covered) may still be one of the best entries: offer them first
  const near = r.reason === 'low_coverage' ? r.candidates.filter((c) => c.coverage >= NEAR_MISS).slice(0, 2) : [];
  const replies: BotReply[] = [];
  if (near.length) {
    replies.push({ text: t.maybe, buttons: entryButtons(near) });
  }
  replies.push({ text: t.menu, buttons: [...buttons, { label: t.human, value: 'human' }] });
  return { replies, patch: { ...patch, misses }, decision: r.decision };
}
