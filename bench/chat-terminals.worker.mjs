// Worker for bench/chat.ts: simulated terminals on their own event loop, so client work does not slow the server.
import { parentPort, workerData } from 'node:worker_threads';
import { WebSocket } from 'ws';

const { url, terminals, rate, seconds, questions } = workerData;
const socks = [];
let failed = 0;

function open(i) {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    const s = { ws, pending: null, ready: false };
    ws.on('open', () => ws.send(JSON.stringify({ t: 'hello', terminalId: `bench-${i}` })));
    ws.on('message', (raw) => {
      const m = JSON.parse(String(raw));
      if (m.t === 'welcome') { s.ready = true; resolve(s); return; }
      if (!s.pending) return;
      if ((m.t === 'pong' && s.pending.kind === 'ping') || (m.t === 'msg' && m.m.from === 'customer' && s.pending.kind === 'msg')) {
        s.pending.done(performance.now() - s.pending.at);
        s.pending = null;
      }
    });
    ws.on('error', () => { failed++; resolve(null); });
  });
}

const t0 = performance.now();
for (let i = 0; i < terminals; i += 250) {
  const batch = await Promise.all(Array.from({ length: Math.min(250, terminals - i) }, (_, k) => open(i + k)));
  for (const s of batch) if (s) socks.push(s);
}
const connectS = Math.round((performance.now() - t0) / 100) / 10;

async function phase(kind, secs) {
  const rtt = [];
  let sent = 0, n = 0;
  const tickMs = 10;
  const perTick = rate * tickMs / 1000;
  let carry = 0;
  const end = performance.now() + secs * 1000;
  while (performance.now() < end) {
    const next = performance.now() + tickMs;
    carry += perTick;
    while (carry >= 1) {
      carry -= 1;
      const s = socks[(n++ * 7919) % socks.length];
      if (!s || s.pending) continue;
      sent++;
      s.pending = { kind, at: performance.now(), done: (ms) => rtt.push(ms) };
      s.ws.send(JSON.stringify(kind === 'ping' ? { t: 'ping', id: n } : { t: 'msg', text: questions[n % questions.length] }));
    }
    await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
  }
  await new Promise((r) => setTimeout(r, 2000));
  for (const s of socks) s.pending = null;
  return { rate, sent, received: rtt.length, rtt };
}

const ping = await phase('ping', Math.max(3, Math.round(seconds / 2)));
const msg = await phase('msg', seconds);
parentPort.postMessage({ connected: socks.length, connectS, failed, ping, msg });
for (const s of socks) s.ws.terminate();
