// /p/video/call.html?room=…&role=…&name=…[&call=…][&pid=…]: the full-page call UI.
import { initI18n, t, onLangChange } from '/_common/i18n.js';
import { STRINGS } from './strings.js';
import { mountCall } from './video-call.js';
import { createQosPanel } from './qos-panel.js';

const q = new URLSearchParams(location.search);
const role = q.get('role') || 'customer';
// whom this side waits for while alone: a customer for an agent, an agent for the customer
document.getElementById('waiting-title').dataset.i18n = `waiting.${{ customer: 'agent', agent: 'customer' }[role] ?? 'other'}`;
initI18n(STRINGS);
const call = mountCall(document.getElementById('grid'), {
  room: q.get('room') || 'lobby', role, name: q.get('name') || (role === 'agent' ? '坐席' : '客户'), // shown translated (grid.js displayName)
  participant: q.get('pid') || undefined,
  ...(q.get('res') === '360' ? { width: 640, height: 360 } : {}), callId: q.get('call') || undefined,
  wsUrl: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/p/video/ws`,
});
window.kefuCall = call; // for the console and tests

// a terminal shows the call in an overlay (terminal-link.js): tell it when the call is over
function tellEmbedder() { if (window.parent !== window) window.parent.postMessage({ kefu: 'call-ended' }, location.origin); }
window.addEventListener('message', (e) => { if (e.origin === location.origin && e.data?.kefu === 'hangup') call.hangup(); });

const status = document.getElementById('status');
// the count is the tiles': me plus everyone connected now; people within the rejoin grace are told apart
let people = 1; let away = 0; let statusKey = 'connecting';
const showStatus = () => {
  if (statusKey !== 'connected') { status.textContent = t(statusKey); return; }
  const base = t(people === 1 ? 'connected.one' : 'connected', { n: people });
  status.textContent = away ? `${base} · ${t('connected.away', { n: away })}` : base;
};
onLangChange(showStatus);
// connected with nobody else in the room (someone within the rejoin grace still counts: their tile says so)
const waiting = document.getElementById('waiting');
const showWaiting = () => { waiting.hidden = statusKey !== 'connected' || [...call.roster.keys()].some((id) => id !== call.participant); };
const roster = new Map();
const panel = createQosPanel(document.getElementById('panel'), (id) => roster.get(id)?.name ?? id);
call.on((ev) => {
  if (ev.type === 'joined') { for (const p of ev.msg.roster) roster.set(p.id, p); statusKey = 'connected'; }
  if (ev.type === 'participant' && ev.event !== 'left') roster.set(ev.participant.id, { ...roster.get(ev.participant.id), ...ev.participant });
  if (ev.type === 'tiles') { people = ev.live + 1; away = ev.away; }
  if (ev.type === 'reconnecting') statusKey = 'reconnecting';
  if (ev.type === 'hangup') { statusKey = 'ended'; tellEmbedder(); }
  if (ev.type === 'qos') panel.update(ev.tiles);
  showWaiting();
  if (ev.type === 'error') { status.textContent = t('error', { code: ev.code }); return; }
  showStatus();
});

const toggle = (btn, kind, onKey, offKey) => {
  let off = false;
  btn.addEventListener('click', () => {
    off = !off; call.setMuted(kind, off);
    btn.dataset.i18n = off ? offKey : onKey; btn.textContent = t(btn.dataset.i18n); btn.classList.toggle('off', off);
  });
};
toggle(document.getElementById('mic'), 'audio', 'mic.on', 'mic.off');
toggle(document.getElementById('cam'), 'video', 'cam.on', 'cam.off');
document.getElementById('qos').addEventListener('click', () => panel.toggle());
document.getElementById('hangup').addEventListener('click', () => { call.hangup(); statusKey = 'ended'; showStatus(); showWaiting(); tellEmbedder(); });
