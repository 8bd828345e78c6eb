// The hall terminal's link to the video service, loaded into the terminal's own page (the chat terminal):
// an idle signalling socket that receives call invitations (shown as an answer/decline dialog, the call in a
// full-screen overlay) and voice broadcasts (played, with delivered/played/failed reported back).
// Kiosks run Chromium with --autoplay-policy=no-user-gesture-required; elsewhere a blocked announcement waits
// for a tap on its banner.
import { extendI18n, t } from '/_common/i18n.js';

const STRINGS = {
  zh: { 'vt.invite': '客服邀请您进行视频通话', 'vt.inviteHint': '接听后请面向屏幕，摄像头和麦克风将会打开。', 'vt.answer': '接听', 'vt.decline': '暂不接听',
    'vt.back': '返回文字咨询', 'vt.announce': '广播通知', 'vt.tapToPlay': '点击收听' },
  en: { 'vt.invite': 'The agent invites you to a video call', 'vt.inviteHint': 'Please face the screen: the camera and microphone will turn on.', 'vt.answer': 'Answer', 'vt.decline': 'Not now',
    'vt.back': 'Back to the chat', 'vt.announce': 'Announcement', 'vt.tapToPlay': 'Tap to listen' },
};

function node(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) { if (k.startsWith('on')) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v); }
  e.append(...children);
  return e;
}

/** Connects terminal `terminalId`; returns { close() }. */
export function linkTerminal({ terminalId, customerName = '客户' }) {
  extendI18n(STRINGS);
  document.head.append(node('link', { rel: 'stylesheet', href: '/p/video/terminal-link.css' }));
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/p/video/ws`;
  let ws = null; let delay = 500; let closed = false; let overlay = null;
  const send = (m) => { if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify(m)); };

  const open = () => {
    ws = new WebSocket(url);
    ws.onopen = () => { delay = 500; send({ t: 'hello', terminal: terminalId }); };
    ws.onmessage = (e) => { let m; try { m = JSON.parse(e.data); } catch { return; } if (m.t === 'invite') invite(m); else if (m.t === 'broadcast') announce(m); };
    ws.onclose = () => { if (!closed) setTimeout(open, delay); delay = Math.min(delay * 2, 8000); };
  };

  function invite(m) {
    document.querySelector('dialog.vt-invite')?.remove();
    const dlg = node('dialog', { class: 'vt-invite' },
      node('h2', {}, t('vt.invite')), node('p', {}, t('vt.inviteHint')),
      node('div', { class: 'vt-row' },
        node('button', { type: 'button', class: 'secondary', 'data-act': 'decline', onclick: () => { dlg.remove(); send({ t: 'invite.reply', callId: m.callId, answer: 'declined' }); } }, t('vt.decline')),
        node('button', { type: 'button', class: 'vt-answer', 'data-act': 'answer', onclick: () => { dlg.remove(); send({ t: 'invite.reply', callId: m.callId, answer: 'accepted' }); showCall(m.path); } }, t('vt.answer'))));
    document.body.append(dlg);
    dlg.showModal();
  }

  function showCall(path) {
    overlay?.remove();
    const src = `${path}&pid=${encodeURIComponent(`terminal-${terminalId}`)}&name=${encodeURIComponent(customerName)}`;
    overlay = node('div', { class: 'vt-call' },
      node('iframe', { src, allow: 'camera; microphone; autoplay; fullscreen', title: t('vt.invite') }),
      node('button', { type: 'button', class: 'secondary vt-back', onclick: () => hideCall() }, t('vt.back')));
    document.body.append(overlay);
  }
  // hang up properly (the SFU frees the seat at once) before the frame goes
  function hideCall() { overlay?.querySelector('iframe')?.contentWindow?.postMessage({ kefu: 'hangup' }, location.origin); overlay?.remove(); overlay = null; }
  window.addEventListener('message', (e) => { if (e.origin === location.origin && e.data?.kefu === 'call-ended') hideCall(); });

  function announce(m) {
    send({ t: 'broadcast.status', id: m.id, status: 'delivered' });
    const audio = new Audio(m.url);
    const icon = node('span', { class: 'vt-icon', 'aria-hidden': 'true' });
    icon.innerHTML = '<svg viewBox="0 0 24 24" width="26" height="26"><path d="M3 10v4h4l5 4V6L7 10H3zm13.5 2a4.5 4.5 0 0 0-2.5-4v8a4.5 4.5 0 0 0 2.5-4zM14 3.2v2.1a7 7 0 0 1 0 13.4v2.1a9 9 0 0 0 0-17.6z" fill="currentColor"/></svg>';
    const banner = node('div', { class: 'vt-announce', role: 'status' }, icon, node('strong', {}, t('vt.announce')), node('span', {}, m.text ?? ''));
    document.body.append(banner);
    const done = (status, reason) => { send({ t: 'broadcast.status', id: m.id, status, ...(reason ? { reason } : {}) }); setTimeout(() => banner.remove(), 4000); };
    audio.addEventListener('ended', () => done('played'), { once: true });
    audio.addEventListener('error', () => done('failed', 'audio could not be loaded'), { once: true });
    audio.play().catch((err) => {
      if (err?.name !== 'NotAllowedError') { done('failed', String(err?.message ?? err)); return; }
      const tap = node('button', { type: 'button', onclick: () => { tap.remove(); audio.play().catch((e2) => done('failed', String(e2?.message ?? e2))); } }, t('vt.tapToPlay'));
      banner.append(tap);
    });
  }

  open();
  return { close() { closed = true; ws?.close(); hideCall(); } };
}
