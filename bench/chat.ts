// `npm run bench -- chat [--terminals 5000] [--rate 500] [--seconds 10]`: AI answer latency with a 1,000-entry KB
// (40-entry KB as the peer), then concurrent terminals over WebSocket on loopback: connect count, and the round
// trip of a customer message (persisted, echoed; the AI answers too) at a fixed rate, with ping/pong as the peer.
import { readFileSync, writeFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { parseKb, type KnowledgeBase } from '../plugins/chat/ai/kb-schema.js';
import { createAnswerEngine } from '../plugins/chat/ai/engine.js';
import chat from '../plugins/chat/index.js';
import { createPluginHarness } from '../test/helpers/plugin-harness.js';

const { values: args } = parseArgs({ options: {
  terminals: { type: 'string', default: '5000' }, rate: { type: 'string', default: '500' }, seconds: { type: 'string', default: '10' },
} });
const out = (o: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ bench: 'chat', ...o })}\n`);
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s.length ? Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] * 1000) / 1000 : null; };

const kbPath = new URL('../test/fixtures/faq/kb.json', import.meta.url).pathname;
const base = parseKb(JSON.parse(readFileSync(kbPath, 'utf8')));
const cases = ['dev-cases.json', 'extra-cases.json'].flatMap((f) => JSON.parse(readFileSync(new URL(`../test/fixtures/faq/${f}`, import.meta.url), 'utf8')).tests as Array<{ q: string; expect_id: string | null }>);

/** grows a KB to n entries with paraphrased copies (new ids, same businesses) so the index has realistic size */
function expandKb(kb: KnowledgeBase, n: number): KnowledgeBase {
  const places = ['高新区', '经开区', '中山区', '沙河口', '金州', '旅顺', '普兰店', '瓦房店', '庄河', '长海', '甘井子', '西岗'];
  const frames = [(q: string) => `请问${q}`, (q: string) => `${q}需要带哪些材料`, (q: string) => `我想咨询一下：${q}`, (q: string) => `${q}在网上能办吗`,
    (q: string) => `${q}多久能办好`, (q: string) => `${q}有没有办理时限`, (q: string) => `关于${q}的政策依据是什么`, (q: string) => `${q}可以委托别人办吗`];
  const entries = [...kb.kb];
  for (let i = 0; entries.length < n; i++) {
    const e = kb.kb[i % kb.kb.length];
    const k = Math.floor(i / kb.kb.length);
    const core = e.question.replace(/[？?]$/, '');
    const place = places[k % places.length];
    entries.push({ ...e, id: `${e.id}-x${k}`, question: `${place}${frames[k % frames.length](core)}？`, answer: `【${place}】${e.answer}`, alternates: undefined });
  }
  return { ...kb, kb: entries };
}

function latency(kb: KnowledgeBase, label: string) {
  const t0 = performance.now();
  const engine = createAnswerEngine(kb);
  const buildMs = performance.now() - t0;
  // warm-up: JIT and caches, so both KBs are measured in the same state
  for (let round = 0; round < 3; round++) for (const c of cases) engine.ask(c.q);
  const ms: number[] = [];
  for (let round = 0; round < 10; round++) for (const c of cases) { const s = performance.now(); engine.ask(c.q); ms.push(performance.now() - s); }
  return { figure: 'ai_latency', kb: label, entries: kb.kb.length, asks: ms.length, build_ms: Math.round(buildMs), p50_ms: pct(ms, 50), p99_ms: pct(ms, 99), max_ms: pct(ms, 100) };
}

const small = latency(base, 'dev-40');
const big = latency(expandKb(base, 1000), 'expanded-1000');
out(small);
out({ ...big, target_p99_ms: 20, pass: (big.p99_ms ?? Infinity) < 20, p99_ratio_vs_40: big.p99_ms && small.p99_ms ? Math.round((big.p99_ms / small.p99_ms) * 100) / 100 : null });

// --- concurrent terminals over WebSocket -------------------------------------------------------------------
const cleanups: Array<() => unknown> = [];
const h = await createPluginHarness({ after: (fn) => cleanups.push(fn) }, chat, {
  kb: kbPath, businessHours: 'always', limits: { messagesPer10s: 1000 }, queue: { tickMs: 1000 },
});
// time the plugin's store writes, to tell storage stalls from CPU stalls in the round trip
const writeMs: number[] = [];
const store = h.ctx.store as unknown as { batch: (...a: unknown[]) => Promise<unknown> };
const batch = store.batch.bind(store);
store.batch = async (...a: unknown[]) => { const s = performance.now(); try { return await batch(...a); } finally { writeMs.push(performance.now() - s); } };
const questions = cases.filter((c) => c.expect_id).map((c) => c.q);
const worker = new Worker(new URL('./chat-terminals.worker.mjs', import.meta.url), {
  workerData: { url: `${h.baseUrl.replace(/^http/, 'ws')}/p/chat/ws/terminal`, terminals: Number(args.terminals), rate: Number(args.rate), seconds: Number(args.seconds), questions },
});
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
const elu0 = performance.eventLoopUtilization();
const result = await new Promise<Record<string, any>>((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject); });
const elu = performance.eventLoopUtilization(elu0);
await worker.terminate();
loop.disable();
out({ figure: 'ws_connect', terminals_target: Number(args.terminals), connected: result.connected, connect_s: result.connectS, failed: result.failed });
out({ figure: 'ws_ping_rtt', peer: true, rate_per_s: result.ping.rate, sent: result.ping.sent, received: result.ping.received, p50_ms: pct(result.ping.rtt, 50), p99_ms: pct(result.ping.rtt, 99) });
const msgP99 = pct(result.msg.rtt, 99);
out({ figure: 'ws_message_rtt', rate_per_s: result.msg.rate, sent: result.msg.sent, received: result.msg.received, p50_ms: pct(result.msg.rtt, 50), p99_ms: msgP99,
  target_p99_ms: 50, pass: (msgP99 ?? Infinity) < 50 && result.connected >= Number(args.terminals), p99_ratio_vs_ping: msgP99 && pct(result.ping.rtt, 99) ? Math.round((msgP99 / pct(result.ping.rtt, 99)!) * 10) / 10 : null,
  server_messages: h.published.filter((p) => p.type === 'message').length, server_loop_delay_p99_ms: Math.round(loop.percentile(99) / 1e4) / 100, server_loop_delay_max_ms: Math.round(loop.max / 1e4) / 100,
  server_event_loop_utilization: Math.round(elu.utilization * 100) / 100,
  store_write_p50_ms: pct(writeMs, 50), store_write_p99_ms: pct(writeMs, 99), store_write_max_ms: pct(writeMs, 100) });
for (const fn of cleanups.reverse()) await fn();
if (process.env.KEFU_BENCH_RAW) writeFileSync(process.env.KEFU_BENCH_RAW, JSON.stringify(result));
