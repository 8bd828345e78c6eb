// The agent console: login, status, queue, my conversations, chat with canned answers, transfer, context, tasks,
// and (supervisors) teaching the assistant a customer's wording (agent-teach.js).
import { initI18n, t, currentLang, onLangChange } from '/_common/i18n.js';
import { connect, el, fmtTime } from './ws-client.js';
import { createTeachPanel } from './agent-teach.js';

initI18n({
  zh: { title: '坐席工作台', login: '坐席登录', agentId: '工号', password: '密码', signIn: '登录', online: '在线', busy: '忙碌', away: '离开', offline: '离线',
    mine: '我的会话', queue: '排队中', agents: '坐席状态', pick: '从左侧选择一个会话', typing: '客户正在输入…', close: '结束服务', reply: '输入回复，Enter 发送',
    send: '发送', context: '客户信息', today: '服务概况', tasks: '差评回访', accept: '接入', offered: '待接入', serving: '服务中', none: '暂无', transferTo: '转接给…',
    toAgent: '坐席', toQueue: '队列', customer: '客户', terminal: '终端', business: '业务', reason: '转人工原因', previous: '历史会话', lastAnswer: 'AI 最后回答',
    canned: '常用回复…', waited: '已等 {n}', done: '已回访', level: '评分 {n}', noComment: '（客户未留言）', messages: '消息', aiAnswers: 'AI 解答', handoffs: '转人工', avgRating: '平均评分',
    waiting: '排队', online_n: '在线坐席', loginFailed: '工号或密码错误', bot: '智能客服', system: '系统',
    human_request: '客户要求', complaint: '投诉', unresolved: '未解决', unanswered: 'AI 无法回答', menu: '业务菜单', human_only: '仅人工业务', transfer: '转接', dispute: '争议', frustration: '不满', fraud_check: '疑似诈骗', personal_calculation: '个人测算', accounting_advice: '账务咨询', exception_case: '特殊情况',
    video: '视频通话', callOpen: '视频通话中 · 打开', CHAT_VIDEO_UNAVAILABLE: '本机未启用视频服务', TOO_MANY_CALLS: '同时进行的视频通话已达上限',
    transferred: '已转接给 {to}', CHAT_AGENT_UNAVAILABLE: '对方坐席已满或不在线：请换一位坐席，或转到队列', CHAT_CUSTOMER_GONE: '客户已离开，消息没有发出；客户在宽限期内回来后可继续', CHAT_NOT_YOURS: '这个会话已不归您处理（可能已转接或结束）', CHAT_TEXT_TOO_LONG: '消息太长，请分几条发送', CHAT_FILE_TOO_LARGE: '文件太大，无法发送', CHAT_CLOSED: '会话已结束', actionFailed: '操作没有完成，请重试（{code}）', full: '已满',
    teach: '教给智能客服', teachHint: '把客户的问法加为知识库条目的说法，下次 AI 直接回答。', teachQuestion: '客户问法', teachEntry: '对应条目', teachAdd: '加为该条目的说法',
    gone: '客户已断开 {n}', goneHint: '客户的终端已断开；若未在宽限期内回来，会话将自动结束',
    teachOk: '已学会：AI 现在直接用 {id} 回答这个问法', teachWeak: '已加入 {id}，但 AI 对这个问法仍不够确定，可再补充关键词', teachFailed: '未能保存' },
  en: { title: 'Agent console', login: 'Agent sign-in', agentId: 'Agent ID', password: 'Password', signIn: 'Sign in', online: 'Online', busy: 'Busy', away: 'Away', offline: 'Offline',
    mine: 'My conversations', queue: 'Waiting', agents: 'Agents', pick: 'Pick a conversation on the left', typing: 'Customer is typing…', close: 'End service', reply: 'Type a reply, Enter to send',
    send: 'Send', context: 'Customer', today: 'Overview', tasks: 'Follow-ups (bad ratings)', accept: 'Accept', offered: 'offered', serving: 'in service', none: 'none', transferTo: 'Transfer to…',
    toAgent: 'Agent', toQueue: 'Queue', customer: 'Customer', terminal: 'Terminal', business: 'Business', reason: 'Handoff reason', previous: 'Earlier chats', lastAnswer: 'Last AI answer',
    canned: 'Canned replies…', waited: 'waited {n}', done: 'Done', level: 'rating {n}', noComment: '(no comment from the customer)', messages: 'Messages', aiAnswers: 'AI answers', handoffs: 'Handoffs', avgRating: 'Avg rating',
    waiting: 'Waiting', online_n: 'Agents online', loginFailed: 'Wrong agent ID or password', bot: 'Assistant', system: 'System',
    human_request: 'asked for a human', complaint: 'complaint', unresolved: 'not solved', unanswered: 'AI could not answer', menu: 'business menu', human_only: 'human-only business', transfer: 'transfer', dispute: 'dispute', frustration: 'frustration', fraud_check: 'possible fraud', personal_calculation: 'personal calculation', accounting_advice: 'accounting advice', exception_case: 'special case',
    video: 'Video call', callOpen: 'In a video call · open', CHAT_VIDEO_UNAVAILABLE: 'Video is not enabled on this box', TOO_MANY_CALLS: 'Too many video calls at once',
    transferred: 'Transferred to {to}', CHAT_AGENT_UNAVAILABLE: 'That agent is full or offline: pick another agent, or a queue', CHAT_CUSTOMER_GONE: 'The customer has left; the message was not sent. If they come back within the grace period you can go on', CHAT_NOT_YOURS: 'This conversation is no longer yours (transferred or ended)', CHAT_TEXT_TOO_LONG: 'The message is too long: send it in parts', CHAT_FILE_TOO_LARGE: 'The file is too large to send', CHAT_CLOSED: 'The conversation has ended', actionFailed: 'That did not work, please try again ({code})', full: 'full',
    teach: 'Teach the assistant', teachHint: 'Add the customer\'s wording to the KB entry that answers it; the AI answers it next time.', teachQuestion: 'Customer\'s wording', teachEntry: 'KB entry', teachAdd: 'Add as a phrasing of this entry',
    gone: 'customer left {n} ago', goneHint: 'The customer\'s terminal disconnected; unless they come back within the grace period the chat closes by itself',
    teachOk: 'Learned: the AI now answers this wording with {id}', teachWeak: 'Added to {id}, but the AI is still unsure about this wording; add keywords too', teachFailed: 'Could not save' },
});

const $ = (id) => document.getElementById(id);
let creds = null, me = null, state = null, selected = null, canned = [], businesses = {}, token = null, teach = null;
const histories = new Map();
/** convId → join URL of its running video call */
const calls = new Map();
/** KB entry id → entry: "AI 最后回答 ETX-01" alone means nothing to an agent, its question does */
let kbEntries = null;
function loadKbTitles() {
  if (kbEntries) return;
  fetch('/p/chat/api/kb').then((r) => (r.ok ? r.json() : null)).then((k) => {
    if (!k?.kb) return;
    kbEntries = new Map(k.kb.map((e) => [e.id, e]));
    renderChat();
  }, () => undefined);
}
const kbTitle = (id) => {
  const e = id ? kbEntries?.get(id) : null;
  return e ? `${(currentLang() === 'en' && e.question_en) || e.question} (${id})` : id;
};
/** a transfer sent and not yet confirmed: the conversation leaving "my conversations" confirms it */
let pendingTransfer = null;
let noticeTimer = null;
function notify(text, kind = 'ok') {
  $('notice').textContent = text; $('notice').className = `notice ${kind}`; $('notice').hidden = false;
  clearTimeout(noticeTimer); noticeTimer = setTimeout(() => { $('notice').hidden = true; }, 8000);
}
const contexts = new Map();
let typingTimer = null;

const sock = connect('/p/chat/ws/agent', {
  onOpen: () => { if (creds) sock.send({ t: 'login', ...creds }); },
  onMessage: handle,
});

const bizLabel = (id) => {
  const label = businesses[id];
  if (!label) return id ?? '-';
  const m = label.match(/^([^a-zA-Z]+)\s+(.+)$/);
  return m ? (currentLang() === 'zh' ? m[1].trim() : m[2].trim()) : label;
};
const agentName = (id) => (id ? state?.agents.find((a) => a.id === id)?.name ?? id : '');
/** a time of day today, else the date too: a follow-up may wait days */
const fmtWhen = (ts) => (new Date(ts).toDateString() === new Date().toDateString() ? fmtTime(ts) : `${new Date(ts).toLocaleDateString(currentLang() === 'en' ? 'en-GB' : 'zh-CN', { month: 'numeric', day: 'numeric' })} ${fmtTime(ts)}`);
const ago = (ts) => { const s = Math.max(0, Math.round((Date.now() - ts) / 1000)); return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`; };

function handle(m) {
  switch (m.t) {
    case 'hello':
      me = m.agent; canned = m.canned; businesses = m.businesses ?? {}; token = m.token;
      loadKbTitles();
      if (me.role === 'supervisor' && !teach) teach = createTeachPanel($, { token: () => token });
      $('login').hidden = true; $('desk').hidden = false; $('status').hidden = false; $('status').value = me.status;
      $('me').textContent = `${me.name} (${me.id})`;
      renderCanned(); break;
    case 'state':
      state = m;
      if (pendingTransfer && !m.mine.some((c) => c.id === pendingTransfer.convId)) { notify(t('transferred', { to: pendingTransfer.to })); pendingTransfer = null; }
      renderLists(); break;
    case 'history':
      histories.set(m.convId, m.messages); contexts.set(m.convId, m.context);
      if (m.convId === selected) {
        renderChat();
        const last = m.messages.filter((x) => x.from === 'customer').at(-1);
        if (last && state?.mine.some((c) => c.id === selected && c.status === 'active')) sock.send({ t: 'read', convId: selected, seq: last.seq });
      }
      break;
    case 'msg': {
      const list = histories.get(m.convId) ?? [];
      if (!list.some((x) => x.seq === m.m.seq)) list.push(m.m);
      histories.set(m.convId, list);
      if (m.convId === selected) {
        renderChat();
        // what the customer was typing has arrived: the indicator would otherwise linger for its 3 s
        if (m.m.from === 'customer') { sock.send({ t: 'read', convId: selected, seq: m.m.seq }); clearTimeout(typingTimer); $('chat-typing').hidden = true; }
      }
      break;
    }
    case 'typing':
      if (m.convId === selected) { $('chat-typing').hidden = false; clearTimeout(typingTimer); typingTimer = setTimeout(() => { $('chat-typing').hidden = true; }, 3000); }
      break;
    case 'call': {
      const url = `${m.joinPath}&pid=${encodeURIComponent(`agent-${me.id}`)}&name=${encodeURIComponent(me.name)}`;
      calls.set(m.convId, url);
      // the window was opened by the click (a later window.open would be blocked as a pop-up)
      const w = window.open('', callWindow(m.convId));
      if (w && w.location.href === 'about:blank') w.location.href = url;
      renderChatHead(); break;
    }
    case 'call_ended': calls.delete(m.convId); renderChatHead(); break;
    case 'call_declined': break; // the conversation shows the customer's answer as a system line
    case 'error':
      if (m.code === 'CHAT_VIDEO_UNAVAILABLE' || m.code === 'TOO_MANY_CALLS') { window.open('', callWindow(selected))?.close(); alert(t(m.code)); }
      else if (m.code === 'CHAT_LOGIN_FAILED') { creds = null; $('login-error').hidden = false; $('login-error').textContent = t('loginFailed'); }
      // a refused action must say so: the agent otherwise waits for something that will not happen
      else { pendingTransfer = null; notify(m.code && t(m.code) !== m.code ? t(m.code) : t('actionFailed', { code: m.code }), 'bad'); }
      break;
    default: break;
  }
}

function li(children, opts = {}) { return el('li', opts, children); }

function renderLists() {
  const { queue, mine, agents, tasks, stats } = state;
  $('mine-count').textContent = String(mine.length);
  $('mine').replaceChildren(...(mine.length ? mine.map((c) => li([
    el('span', { class: `dot ${c.status === 'active' ? 'ok' : 'warn'}` }),
    el('span', { class: 'grow', title: `${bizLabel(c.business)} · ${c.customerId}` }, `${bizLabel(c.business)} · `, el('span', { class: 'cid' }, c.customerId)),
    c.disconnectedAt ? el('span', { class: 'gone', title: t('goneHint') }, t('gone', { n: ago(c.disconnectedAt) })) : null,
    c.status === 'waiting' ? el('button', { type: 'button', disabled: Boolean(c.disconnectedAt), onclick: (e) => { e.stopPropagation(); sock.send({ t: 'accept', convId: c.id }); select(c.id); } }, t('accept')) : null,
  ], { class: `${c.id === selected ? 'active' : ''}${c.disconnectedAt ? ' gone' : ''}`, onclick: () => select(c.id), dataset: { conv: c.id } })) : [li(t('none'), { class: 'empty-row' })]));
  $('queue-count').textContent = String(queue.length);
  $('queue').replaceChildren(...(queue.length ? queue.map((w) => li([
    el('span', { class: 'badge' }, `#${w.position}`), el('span', { class: 'grow', title: w.reason ? t(w.reason) : '' }, `${bizLabel(w.skill)} · ${w.customerId ?? ''}${w.reason ? ` · ${t(w.reason)}` : ''}`),
    w.gone ? el('span', { class: 'gone', title: t('goneHint') }, t('gone', { n: ago(w.gone) })) : el('span', { class: 'muted' }, t('waited', { n: ago(w.since) })),
  ], { class: '' })) : [li(t('none'), { class: 'empty-row' })]));
  $('agents').replaceChildren(...agents.map((a) => li([
    el('span', { class: `dot ${a.status === 'online' ? 'ok' : a.status === 'offline' ? '' : 'warn'}` }),
    el('span', { class: 'grow' }, `${a.name} · ${a.skills.map(bizLabel).join('/')}`), el('span', { class: 'muted' }, `${a.load}/${a.capacity}`),
  ])));
  $('task-count').textContent = String(tasks.length);
  $('task-count').hidden = tasks.length === 0;
  // the customer's words are what a follow-up is about: shown whole (a tablet has no hover to read a cut-off line)
  $('tasks').replaceChildren(...(tasks.length ? tasks.map((k) => li([
    el('div', { class: 'task-head' }, el('span', { class: 'badge bad' }, t('level', { n: k.level })),
      el('span', { class: 'grow' }, [agentName(k.agentId), k.business ? bizLabel(k.business) : null].filter(Boolean).join(' · ')),
      el('span', { class: 'muted' }, fmtWhen(k.createdAt))),
    el('div', { class: `task-comment${k.comment ? '' : ' muted'}` }, k.comment ? `“${k.comment}”` : t('noComment')),
    el('div', { class: 'task-foot' }, el('span', { class: 'muted grow' }, `${t('customer')} ${k.customerId}`),
      me?.role === 'supervisor' ? el('button', { type: 'button', class: 'secondary', onclick: () => sock.send({ t: 'task_done', taskId: k.id }) }, t('done')) : null),
  ], { class: 'task', dataset: { task: k.id } })) : [li(t('none'), { class: 'empty-row' })]));
  const kpi = (v, label) => el('div', {}, el('div', { class: 'kpi' }, v), el('div', { class: 'label' }, t(label)));
  $('stats').replaceChildren(kpi(stats.waiting, 'waiting'), kpi(stats.agentsOnline, 'online_n'), kpi(stats.aiAnswers, 'aiAnswers'), kpi(stats.handoffs, 'handoffs'),
    kpi(stats.avgRating ? stats.avgRating.toFixed(1) : '-', 'avgRating'), kpi(stats.messages, 'messages'));
  renderTransfer();
  if (selected && !mine.some((c) => c.id === selected)) { selected = null; renderChat(); }
  else renderChatHead();
}

function renderTransfer() {
  const opts = [el('option', { value: '' }, t('transferTo'))];
  for (const a of state?.agents ?? []) {
    if (a.id === me?.id || a.status !== 'online') continue;
    const full = a.load >= a.capacity;
    opts.push(el('option', { value: `agent:${a.id}`, disabled: full, dataset: { to: a.name } }, `${t('toAgent')}: ${a.name}${full ? ` (${t('full')})` : ''}`));
  }
  for (const b of Object.keys(businesses)) opts.push(el('option', { value: `queue:${b}`, dataset: { to: `${t('toQueue')} ${bizLabel(b)}` } }, `${t('toQueue')}: ${bizLabel(b)}`));
  $('transfer').replaceChildren(...opts);
}

function renderCanned() {
  $('canned').replaceChildren(el('option', { value: '' }, t('canned')), ...canned.map((c, i) => el('option', { value: String(i) }, c.title)));
}

function select(convId) {
  selected = convId;
  sock.send({ t: 'history', convId });
  renderLists();
  renderChat();
  // a phone stacks the open conversation first, above the lists: the agent who accepted further down would not see it
  if (matchMedia('(max-width: 699px)').matches) window.scrollTo({ top: 0 });
}

function renderChatHead() {
  const c = state?.mine.find((x) => x.id === selected);
  $('chat-title').textContent = c ? `${bizLabel(c.business)} · ${c.customerId} · ${t(c.status === 'active' ? 'serving' : 'offered')}` : '';
  const active = c?.status === 'active';
  $('chat-gone').hidden = !c?.disconnectedAt;
  if (c?.disconnectedAt) { $('chat-gone').textContent = t('gone', { n: ago(c.disconnectedAt) }); $('chat-gone').title = t('goneHint'); }
  for (const id of ['send', 'close', 'transfer', 'text', 'canned', 'video']) $(id).disabled = !active;
  const call = calls.get(selected);
  $('call-link').hidden = !call; $('video').hidden = Boolean(call);
  if (call) { $('call-link').href = call; $('call-link').target = callWindow(selected); }
}

const callWindow = (convId) => `kefu-call-${convId}`;

function renderChat() {
  $('chat').hidden = !selected; $('chat-empty').hidden = Boolean(selected);
  if (!selected) { $('context').replaceChildren(); $('chat-typing').hidden = true; $('teach').hidden = true; return; }
  renderChatHead();
  const msgs = histories.get(selected) ?? [];
  $('messages').replaceChildren(...msgs.map((m) => {
    const who = m.from === 'customer' ? t('customer') : m.from === 'agent' ? (state?.agents.find((a) => a.id === m.agentId)?.name ?? m.agentId ?? '') : t(m.from);
    const body = [];
    if (m.file && m.kind === 'image') body.push(el('img', { src: m.file.url, alt: m.file.name }));
    else if (m.file) body.push(el('a', { href: m.file.url, download: m.file.name }, `📄 ${m.file.name}`));
    const text = m.texts?.[currentLang()] ?? m.text;
    if (text) body.push(el('div', {}, text));
    if (m.buttons) body.push(el('div', { class: 'muted' }, m.buttons.map((b) => `[${b.label}]`).join(' ')));
    return el('div', { class: `msg ${m.from}` }, m.from === 'system' ? null : el('span', { class: 'who' }, `${who} · ${fmtTime(m.ts)}`), body);
  }));
  $('messages').scrollTop = $('messages').scrollHeight;
  const ctx = contexts.get(selected);
  teach?.show(msgs, ctx?.lastKbId);
  const row = (k, v) => [el('dt', {}, t(k)), el('dd', {}, v ?? '-')];
  $('context').replaceChildren(...(ctx ? [...row('customer', ctx.customerId), ...row('terminal', ctx.terminalId), ...row('business', bizLabel(ctx.business)),
    ...row('reason', ctx.handoffReason ? t(ctx.handoffReason) : '-'), ...row('lastAnswer', kbTitle(ctx.lastKbId)), ...row('previous', String(ctx.previousConversations))] : []));
}

function sendReply() {
  const text = $('text').value.trim();
  if (!text || !selected) return;
  if (sock.send({ t: 'msg', convId: selected, text })) $('text').value = '';
}

$('login-form').addEventListener('submit', (e) => {
  e.preventDefault();
  creds = { agentId: $('agent-id').value.trim(), password: $('password').value };
  $('login-error').hidden = true;
  sock.send({ t: 'login', ...creds });
});
$('status').addEventListener('change', () => sock.send({ t: 'status', status: $('status').value }));
$('send').addEventListener('click', sendReply);
$('text').addEventListener('keydown', (e) => { if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); sendReply(); } });
$('text').addEventListener('input', () => selected && sock.send({ t: 'typing', convId: selected }));
$('video').addEventListener('click', () => {
  if (!selected) return;
  window.open('about:blank', callWindow(selected));
  sock.send({ t: 'video', convId: selected });
});
$('close').addEventListener('click', () => selected && sock.send({ t: 'close', convId: selected }));
$('canned').addEventListener('change', () => { const c = canned[Number($('canned').value)]; if (c) { $('text').value = c.text; $('text').focus(); } $('canned').value = ''; });
$('transfer').addEventListener('change', () => {
  const v = $('transfer').value;
  if (!v || !selected) return;
  const [kind, id] = v.split(':');
  pendingTransfer = { convId: selected, to: $('transfer').selectedOptions[0]?.dataset.to ?? id };
  sock.send({ t: 'transfer', convId: selected, ...(kind === 'agent' ? { toAgent: id } : { toQueue: id }) });
  $('transfer').value = '';
});
onLangChange(() => { if (state) renderLists(); renderCanned(); renderChat(); });
setInterval(() => { if (state) renderLists(); }, 5000);
