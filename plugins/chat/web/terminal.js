// The hall terminal's chat: bot first, "转人工" always in reach, queue position, rating at the end.
import { initI18n, t, currentLang, onLangChange } from '/_common/i18n.js';
import { connect, el, face, fmtTime, readFileAsDataUrl } from './ws-client.js';
import { createIdleReset } from './kiosk-idle.js';

initI18n({
  zh: { title: '办税服务厅 · 智能客服', send: '发送', human: '转人工', end: '结束咨询', placeholder: '请输入您的问题，例如：发票怎么查验真伪', placeholderShort: '请输入您的问题',
    agentTyping: '客服正在输入…', attach: '发送图片或文件', rateTitle: '请为本次人工服务评价', rateComment: '意见或建议（可选）', skip: '跳过',
    bot: '智能客服', agent: '人工客服', me: '我', withBot: '智能客服为您服务', inQueue: '正在排队', withAgent: '人工客服为您服务',
    position: '您排在第 {n} 位，预计等待 {eta}', positionNow: '即将为您接通', minutes: '{n} 分钟', lessMinute: '不到 1 分钟', thanks: '感谢您的评价！',
    connecting: '正在为您接通人工客服', noAgent: '暂无客服在线。您可以直接留言，客服上线后会回复您；也可以继续等待。', hours: '人工服务时间：{h}',
    tooBig: '文件太大了（最大 {n} KB）', offline: '连接中断，正在重连…', ended: '咨询已结束，感谢您的使用。', read: '已读',
    idleTitle: '还需要帮助吗？', idleText: '{n} 秒后将结束本次咨询并清空屏幕，保护您的隐私。', idleStay: '继续咨询' },
  en: { title: 'Tax Service Hall · Assistant', send: 'Send', human: 'Human agent', end: 'End chat', placeholder: 'Type your question, e.g. how to check an invoice', placeholderShort: 'Type your question',
    agentTyping: 'The agent is typing…', attach: 'Send an image or file', rateTitle: "Please rate the agent's service", rateComment: 'Comments (optional)', skip: 'Skip',
    bot: 'Assistant', agent: 'Agent', me: 'Me', withBot: 'The assistant is serving you', inQueue: 'Waiting in line', withAgent: 'An agent is serving you',
    position: 'You are number {n} in line, about {eta}', positionNow: 'Connecting you now', minutes: '{n} min', lessMinute: 'under 1 min', thanks: 'Thank you for your rating!',
    connecting: 'Connecting you to an agent', noAgent: 'No agent is online right now. Leave a message here and an agent will reply when available, or keep waiting.', hours: 'Agent hours: {h}',
    tooBig: 'File too large (max {n} KB)', offline: 'Connection lost, reconnecting…', ended: 'Chat ended. Thank you.', read: 'read',
    idleTitle: 'Do you still need help?', idleText: 'In {n} s this chat ends and the screen is cleared, to protect your privacy.', idleStay: 'Continue' },
});

// a phone-width composer has room for one short line: the example would be cut mid-word
const narrow = matchMedia('(max-width: 480px)');
const fitPlaceholder = () => { const box = document.getElementById('text'); box.dataset.i18nPlaceholder = narrow.matches ? 'placeholderShort' : 'placeholder'; box.placeholder = t(box.dataset.i18nPlaceholder); };
narrow.addEventListener('change', fitPlaceholder);
fitPlaceholder();

const LEVELS = { 5: ['非常满意', 'Very satisfied'], 4: ['满意', 'Satisfied'], 3: ['一般', 'Neutral'], 2: ['不满意', 'Dissatisfied'], 1: ['非常不满意', 'Very dissatisfied'] };
const MAX_FILE = 512 * 1024;
const params = new URLSearchParams(location.search);
const terminalId = params.get('terminal') ?? localStorage.getItem('kefu.chat.terminal') ?? `t-${crypto.randomUUID().slice(0, 8)}`;
localStorage.setItem('kefu.chat.terminal', terminalId);
const $ = (id) => document.getElementById(id);
const log = $('log');
let conv = null;
let lastSeq = 0;
let queue = null;
let typingTimer = null;

const saved = JSON.parse(localStorage.getItem(`kefu.chat.${terminalId}`) ?? 'null');
if (saved) { lastSeq = saved.lastSeq; }

const sock = connect('/p/chat/ws/terminal', {
  // a reloaded page shows nothing yet: ask for the whole conversation; a reconnect of this page only for what it missed
  onOpen: () => sock.send({ t: 'hello', terminalId, customerId: params.get('customer') ?? undefined, convId: conv?.id ?? saved?.convId, lastSeq: shown.length ? lastSeq : 0, lang: currentLang() }),
  onState: (s) => { $('link').className = `dot ${s === 'up' ? 'ok' : 'bad'}`; $('link').title = s === 'up' ? '' : t('offline'); },
  onMessage: handle,
});

// video calls and announcements reach this terminal when the box runs the video plugin
import('/p/video/terminal-link.js').then((m) => m.linkTerminal({ terminalId, customerName: params.get('name') ?? undefined }), () => undefined);

function remember() { localStorage.setItem(`kefu.chat.${terminalId}`, JSON.stringify({ convId: conv?.id, lastSeq })); }

function handle(m) {
  switch (m.t) {
    case 'welcome':
      if ((conv?.id ?? saved?.convId) !== m.conv.id) { log.replaceChildren(); shown.length = 0; lastSeq = 0; }
      conv = m.conv; m.messages.forEach(render); renderStatus(); remember(); break;
    case 'msg': render(m.m); if (m.m.from !== 'customer') sock.send({ t: 'read', seq: m.m.seq }); break;
    case 'conv': conv = m.conv; if (conv.owner !== 'queue') queue = null; renderStatus(); break;
    case 'queue': queue = m; renderStatus(); break;
    case 'typing': $('typing').hidden = false; clearTimeout(typingTimer); typingTimer = setTimeout(() => { $('typing').hidden = true; }, 3000); break;
    case 'read': markRead(m.seq); break;
    case 'rate_request': openRating(); break;
    case 'rated': render({ seq: -1, from: 'system', kind: 'system', key: 'thanks', ts: Date.now() }); break;
    case 'error': console.warn(m); if (m.code === 'CHAT_CLOSED') restart(); break;
    default: break;
  }
}

const shown = [];

function render(msg, replay = false) {
  if (!replay && msg.seq > 0 && msg.seq <= lastSeq && log.querySelector(`[data-seq="${msg.seq}"]`)) return;
  if (!replay) shown.push(msg);
  if (msg.seq > lastSeq) { lastSeq = msg.seq; remember(); }
  if (msg.from === 'agent') $('typing').hidden = true;
  // the page's own lines keep their key, so a language switch re-renders them too
  const text = msg.key ? t(msg.key, msg.vars) : msg.texts?.[currentLang()] ?? msg.text;
  const who = msg.from === 'system' ? null : el('span', { class: 'who' }, `${t(msg.from === 'customer' ? 'me' : msg.from)} · ${fmtTime(msg.ts)}`);
  const body = [];
  if (msg.file && msg.kind === 'image') body.push(el('img', { src: msg.file.url, alt: msg.file.name }));
  else if (msg.file) body.push(el('a', { href: msg.file.url, download: msg.file.name }, `📄 ${msg.file.name}`));
  if (text) body.push(el('div', {}, text));
  if (msg.buttons) {
    const box = el('div', { class: 'quick' });
    for (const b of msg.buttons) {
      box.append(el('button', { type: 'button', class: b.value === 'human' ? 'hot' : '', onclick: () => { box.classList.add('used'); sock.send({ t: 'msg', value: b.value, text: b.label }); } }, b.label));
    }
    body.push(box);
  }
  log.append(el('div', { class: `bubble from-${msg.from}`, dataset: { seq: String(msg.seq) } }, who, body));
  // once the customer has written again, earlier choices (已解决 / 没解决, a business menu) answer nothing
  if (msg.from === 'customer') for (const q of log.querySelectorAll('.quick')) q.classList.add('used');
  log.scrollTop = log.scrollHeight;
}

function markRead(seq) {
  for (const b of log.querySelectorAll('.bubble.from-customer:not(.read)')) {
    if (Number(b.dataset.seq) <= seq) { b.classList.add('read'); b.querySelector('.who')?.append(el('span', { class: 'tick' }, ` · ${t('read')}`)); }
  }
}

function renderStatus() {
  const box = $('status');
  if (!conv) { box.hidden = true; return; }
  box.hidden = false;
  // an agent serves only once they accepted: an offer not yet taken is still a wait for the customer
  const serving = conv.owner === 'agent' && conv.status === 'active';
  const phase = conv.owner === 'bot' ? 'bot' : serving ? 'agent' : conv.owner === 'agent' ? 'offered' : 'queue';
  box.classList.toggle('agent', serving);
  box.dataset.phase = phase;
  $('owner-label').textContent = t({ bot: 'withBot', agent: 'withAgent', offered: 'connecting', queue: 'inQueue' }[phase]);
  let info = '';
  if (phase === 'queue' && queue && queue.staffed === false) {
    info = t('noAgent') + (queue.hours?.[currentLang()] ? ` ${t('hours', { h: queue.hours[currentLang()] })}` : '');
  } else if (phase === 'queue' && queue) {
    const eta = queue.etaSec < 60 ? t('lessMinute') : t('minutes', { n: Math.round(queue.etaSec / 60) });
    info = queue.position <= 1 && queue.etaSec === 0 ? t('positionNow') : t('position', { n: queue.position, eta });
  }
  $('queue-info').textContent = info;
  $('human').disabled = conv.owner !== 'bot';
  log.dataset.owner = conv.owner;
}

function openRating() {
  const box = $('rate-buttons');
  box.replaceChildren(...[5, 4, 3, 2, 1].map((level) => el('button', { type: 'button', dataset: { level: String(level) }, onclick: () => {
    sock.send({ t: 'rate', level, comment: $('rate-comment').value || undefined });
    $('rate').close();
  } }, el('span', { class: 'face' }, face(level)), LEVELS[level][currentLang() === 'en' ? 1 : 0])));
  // the dialog itself takes the focus: a focus ring on 非常满意 reads as already chosen
  if (!$('rate').open) { $('rate').showModal(); $('rate').focus(); }
}

function restart() { localStorage.removeItem(`kefu.chat.${terminalId}`); location.reload(); }

$('composer').addEventListener('submit', (e) => {
  e.preventDefault();
  const text = $('text').value.trim();
  if (!text) return;
  if (sock.send({ t: 'msg', text })) $('text').value = '';
});
$('text').addEventListener('keydown', (e) => { if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); $('composer').requestSubmit(); } });
$('text').addEventListener('input', () => sock.send({ t: 'typing' }));
$('human').addEventListener('click', () => sock.send({ t: 'human', text: t('human') }));
$('end').addEventListener('click', () => { sock.send({ t: 'end' }); render({ seq: -1, from: 'system', kind: 'system', key: 'ended', ts: Date.now() }); setTimeout(restart, 1500); });
$('rate-skip').addEventListener('click', () => $('rate').close());
$('file').addEventListener('change', async () => {
  const f = $('file').files[0];
  $('file').value = '';
  if (!f) return;
  if (f.size > MAX_FILE) { render({ seq: -1, from: 'system', kind: 'system', key: 'tooBig', vars: { n: MAX_FILE / 1024 }, ts: Date.now() }); return; }
  sock.send({ t: 'msg', file: { name: f.name, mime: f.type || 'application/octet-stream', size: f.size, url: await readFileAsDataUrl(f) } });
});
// a kiosk: ?idle=<seconds> of quiet before asking (default 180; 0 = a personal device, never), ?idleGrace=<seconds> to answer
const idle = createIdleReset({
  idleMs: Number(params.get('idle') ?? 180) * 1000, graceMs: Number(params.get('idleGrace') ?? 20) * 1000,
  applies: () => conv?.owner === 'bot' && shown.some((m) => m.from === 'customer'),
  onWarn: (n) => { $('idle-text').textContent = t('idleText', { n }); if (!$('idle').open) { $('idle').showModal(); $('idle').focus(); } },
  onCancel: () => $('idle').close(),
  onReset: () => { sock.send({ t: 'end' }); setTimeout(restart, 300); },
});
for (const type of ['pointerdown', 'keydown', 'input']) document.addEventListener(type, () => idle.poke(), { capture: true, passive: true });
$('idle-stay').addEventListener('click', () => idle.poke());
idle.start();

onLangChange((lang) => {
  renderStatus();
  if ($('rate').open) openRating();
  log.replaceChildren();
  for (const m of shown) render(m, true);
  // the server answers in the conversation's language from now on
  if (conv) sock.send({ t: 'hello', terminalId, convId: conv.id, lastSeq, lang });
});
