// "Teach the assistant" (supervisors): a customer's wording from a conversation becomes an alternate phrasing of
// the KB entry that answers it, so the AI answers it next time. Keyword retrieval learns new wording only this
// way, and handed-off conversations are where the wording it does not know shows up.
import { t } from '/_common/i18n.js';
import { el } from './ws-client.js';

const api = async (path, token, init = {}) => {
  const res = await fetch(`/p/chat/api/${path}`, {
    ...init, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error?.message ?? `HTTP ${res.status}`);
  return body;
};

// the terminal's 转人工 button and its typed forms are requests, not wordings of a question
const ESCALATION = /^(转人工|人工|人工客服|找人工|human( agent)?|agent)[。.!！]*$/i;

export function createTeachPanel($, { token }) {
  let kb = null;
  /** one KB fetch however many renders ask for it: a second fetch landing late reset the entry chosen meanwhile */
  let kbLoad = null;
  const guesses = new Map(); // question → entry id the engine would pick (or null)
  let shownFor = null; // the wording whose entry choice is on screen
  const shown = (text, cls) => { $('teach-result').hidden = false; $('teach-result').className = cls; $('teach-result').textContent = text; };

  async function load() {
    kbLoad ??= api('kb').then((k) => { kb = k; }, (err) => { kbLoad = null; throw err; });
    await kbLoad;
  }

  function renderEntries(selectedId) {
    if (!kb) return;
    const en = document.documentElement.lang === 'en';
    $('teach-entry').replaceChildren(...kb.kb.map((e) => el('option', { value: e.id, selected: e.id === selectedId }, `${e.id} · ${(en && e.question_en) || e.question}`)));
  }

  async function guess(q) {
    if (!guesses.has(q)) {
      const r = await api('ask', token(), { method: 'POST', body: JSON.stringify({ q }) });
      guesses.set(q, r.entry?.id ?? r.candidates?.[0]?.id ?? null);
    }
    return guesses.get(q);
  }

  /**
   * The customer's text messages of the conversation on screen. Offered first: the last one the AI did not answer
   * (its next reply carried no KB entry), the wording it has to learn; else the first, where a chat usually starts.
   */
  async function show(messages, lastKbId) {
    const asked = messages.map((m, i) => ({ m, i })).filter(({ m }) => m.from === 'customer' && m.text && !ESCALATION.test(m.text.trim()));
    const questions = [...new Set(asked.map(({ m }) => m.text.trim()))];
    $('teach').hidden = questions.length === 0;
    if (!questions.length) return;
    const missed = asked.filter(({ i }) => !messages.slice(i + 1).find((r) => r.from === 'bot')?.kbId).map(({ m }) => m.text.trim());
    const current = questions.includes($('teach-q').value) ? $('teach-q').value : (missed.at(-1) ?? questions[0]);
    $('teach-q').replaceChildren(...questions.map((q) => el('option', { value: q, selected: q === current }, q)));
    if (!kb) await load();
    // a new message re-renders the conversation: keep the entry the supervisor picked for the same wording
    if ($('teach-q').value === shownFor) return;
    shownFor = $('teach-q').value;
    $('teach-result').hidden = true;
    renderEntries((await guess(shownFor)) ?? lastKbId);
  }

  async function add() {
    const q = $('teach-q').value.trim();
    const entry = kb?.kb.find((e) => e.id === $('teach-entry').value);
    if (!q || !entry) return;
    $('teach-add').disabled = true;
    try {
      const alternates = [...new Set([...(entry.alternates ?? []), q])];
      await api(`kb/entries/${encodeURIComponent(entry.id)}`, token(), { method: 'PUT', body: JSON.stringify({ ...entry, alternates }) });
      entry.alternates = alternates;
      guesses.clear();
      const r = await api('ask', token(), { method: 'POST', body: JSON.stringify({ q }) });
      if (r.decision === 'answer' && r.entry?.id === entry.id) shown(t('teachOk', { id: entry.id }), 'ok-text');
      else shown(t('teachWeak', { id: entry.id }), 'muted');
    } catch (err) {
      shown(`${t('teachFailed')}: ${err.message}`, 'error');
    } finally {
      $('teach-add').disabled = false;
    }
  }

  $('teach-add').addEventListener('click', () => void add());
  $('teach-q').addEventListener('change', async () => {
    shownFor = $('teach-q').value;
    $('teach-result').hidden = true;
    renderEntries(await guess(shownFor));
  });
  return { show: (messages, lastKbId) => show(messages, lastKbId).catch((err) => shown(`${t('teachFailed')}: ${err.message}`, 'error')) };
}
