// Load generator for bench/chat.ts, run as its own process (child_process.fork) so that its CPU, GC and event
// loop never share the measured server's: simulated terminals connect, then ping and message phases at a fixed
// rate. Reports round trips and its own CPU time, so a saturated generator is visible in the figures.
import { WebSocket } from 'ws';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

const { url, terminals, rate, seconds, questions } = JSON.parse(process.argv[2]);
const socks = [];
let failed = 0;

function open(i) {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const s = { ws, pending: null };
    ws.on('open', () => ws.send(JSON.stringify({ t: 'hello', terminalId: `bench-${i}` })));
    ws.on('message', (raw) => {
      // only the reply we wait for is parsed in full: the generator must stay cheap next to the server
      const text = String(raw);
      if (!s.pending) {
        if (text.startsWith('{"t":"welcome"')) resolve(s);
        return;
      }
      const m = JSON.parse(text);
      if ((m.t === 'pong' && s.pending.kind === 'ping') || (m.t === 'msg' && m.m.from === 'customer' && s.pending.kind === 'msg')) {
        s.pending.done(performance.now() - s.pending.at);
        s.pending = null;
      }
    });
    ws.on('error', () => { failed++; resolve(null); });
  });
}

const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < terminals; i += 250) {
  const batch = await Promise.all(Array.from({ length: Math.min(250, terminals - i) }, (_, k) => open(i + k)));
  for (const s of batch) if (s) socks.push(s);
}
const connectS = Math.round((performance.now() - t0) / 100) / 10;

async function phase(kind, secs) {
  const rtt = [];
  let sent = 0, n = 0, skipped = 0;
  const tickMs = 10;
  const perTick = (rate * tickMs) / 1000;
  let carry = 0;
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const cpu = process.cpuUsage();
  process.send({ mark: `${kind}_start` });
  const start = performance.now();
  const end = start + secs * 1000;
  while (performance.now() < end) {
    const next = performance.now() + tickMs;
    carry += perTick;
    while (carry >= 1) {
      carry -= 1;
      const s = socks[(n++ * 7919) % socks.length];
      if (!s || s.pending) { skipped++; continue; }
      sent++;
      s.pending = { kind, at: performance.now(), done: (ms) => rtt.push(ms) };
      s.ws.send(JSON.stringify(kind === 'ping' ? { t: 'ping', id: n } : { t: 'msg', text: questions[n % questions.length] }));
    }
    await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
  }
  const sendWindowS = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  // drain: the server's figures cover every message it was sent, including a backlog when it falls behind
  const drainEnd = performance.now() + 15_000;
  while (socks.some((s) => s.pending) && performance.now() < drainEnd) await new Promise((r) => setTimeout(r, 50));
  process.send({ mark: `${kind}_end` });
  await new Promise((r) => setTimeout(r, 200));
  loop.disable();
  for (const s of socks) s.pending = null;
  return { rate, sent, skipped, received: rtt.length, rtt, send_window_s: Math.round(sendWindowS * 10) / 10,
    generator_cpu_pct: Math.round(((used.user + used.system) / 1e6 / sendWindowS) * 1000) / 10,
    generator_loop_delay_p99_ms: Math.round(loop.percentile(99) / 1e4) / 100 };
}

const ping = await phase('ping', Math.max(3, Math.round(seconds / 2)));
const msg = await phase('msg', seconds);
const total = process.cpuUsage(cpu0);
process.send({ connected: socks.length, connectS, failed, ping, msg, generator_cpu_s: Math.round((total.user + total.system) / 1e4) / 100 }, () => {
  for (const s of socks) s.ws.terminate();
  process.disconnect();
});
