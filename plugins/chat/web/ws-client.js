// A reconnecting JSON WebSocket: exponential backoff, onOpen re-sends whatever resumes the session.
export function connect(path, { onMessage, onOpen, onState }) {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${path}`;
  let ws = null;
  let delay = 500;
  let closedByUs = false;
  const open = () => {
    ws = new WebSocket(url);
    ws.onopen = () => { delay = 500; onState?.('up'); onOpen?.(); };
    ws.onmessage = (e) => { try { onMessage(JSON.parse(e.data)); } catch (err) { console.error(err); } };
    ws.onclose = () => {
      onState?.('down');
      if (!closedByUs) setTimeout(open, delay);
      delay = Math.min(delay * 2, 8000);
    };
  };
  open();
  return {
    send(m) { if (ws && ws.readyState === WebSocket.OPEN) { ws.send(JSON.stringify(m)); return true; } return false; },
    close() { closedByUs = true; ws?.close(); },
  };
}

export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
  return e;
}

export const fmtTime = (ts) => new Date(ts).toLocaleTimeString('zh-CN', { hour: '2-digit', minute: '2-digit', hour12: false });

export function readFileAsDataUrl(file) {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(r.result);
    r.onerror = () => reject(r.error);
    r.readAsDataURL(file);
  });
}

const SVG = 'http://www.w3.org/2000/svg';
/** a small face for rating level 1..5 (no emoji font on kiosks): mouth from frown to smile, colour from red to green */
export function face(level) {
  const colours = { 1: '#c62828', 2: '#ef6c00', 3: '#9e9d24', 4: '#43a047', 5: '#2e7d32' };
  const curve = (level - 3) * 5;
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 40 40'); svg.setAttribute('width', '40'); svg.setAttribute('height', '40'); svg.setAttribute('aria-hidden', 'true');
  svg.innerHTML = `<circle cx="20" cy="20" r="18" fill="${colours[level]}"/><circle cx="13.5" cy="16" r="2.4" fill="#fff"/><circle cx="26.5" cy="16" r="2.4" fill="#fff"/>` +
    `<path d="M11 ${26 - curve / 2} Q20 ${26 + curve} 29 ${26 - curve / 2}" stroke="#fff" stroke-width="2.8" fill="none" stroke-linecap="round"/>`;
  return svg;
}
