// `npm run bench -- sfu [--seconds 30] [--sizes 4,8,16,32] [--workers 2] [--fps 15] [--full-receive] [--prof DIR]`
// The SFU runs in its own process (signalling hub + werift peers); synthetic werift participants run in
// `--workers` client processes. Every participant publishes simulcast (q/h/f, paused on request like a
// browser; each layer VP8 L1T3 like Chrome's simulcast, at --fps frames/s) plus audio, and subscribes to
// everyone (every tile visible: 31 thumbnails + the speaker; thumbnails of a big grid get the base temporal
// layers only).
// The generators count received packets off the wire and decrypt one in eight (synthetic-light-receiver.ts)
// so that on a 2-core box they leave the cores to the SFU; --full-receive runs werift's whole receive path.
// One JSON line per room size, after the sfu-floor line (the per-packet floor measured in the same run).
// CPU is the SFU process's, in % of the whole machine (all cores).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { machineJiffies, schedstat, threadTicks, udpSample, udpSnmp } from './sfu-proc.js';

const self = fileURLToPath(import.meta.url);
const args = process.argv.slice(2);
const arg = (name: string, dflt: string) => { const i = args.indexOf(`--${name}`); return i >= 0 && args[i + 1] ? args[i + 1]! : dflt; };
/** `--sockbuf BYTES`: the peers' SO_RCVBUF/SO_SNDBUF (SFU and generators); 212992 = the kernel default, as before */
const sockbuf = () => (arg('sockbuf', '') ? { socketBufferBytes: Number(arg('sockbuf', '')) } : {});
const out = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);


/** SFU process: fastify + @fastify/websocket + the signalling hub. */
async function serve() {
  const { default: Fastify } = await import('fastify');
  const { default: ws } = await import('@fastify/websocket');
  const { createSignallingHub } = await import('../plugins/video/signalling/hub.js');
  const { silentLogger } = await import('../daemon/logger.js');
  const delay = monitorEventLoopDelay({ resolution: 10 }); delay.enable();
  // time spent in GC pauses, cumulative (the measured window takes the difference)
  let gcMs = 0;
  new PerformanceObserver((list) => { for (const e of list.getEntries()) gcMs += e.duration; }).observe({ entryTypes: ['gc'] });
  const hub = createSignallingHub({ log: silentLogger(), maxParticipants: 32, lastN: 3, net: sockbuf(), rejoinGraceMs: 1000, maxRooms: 4, sealWorker: args.includes('--seal-worker'), shedLoad: !args.includes('--no-shed') });
  const app = Fastify();
  await app.register(ws);
  app.get('/ws', { websocket: true }, (socket) => hub.handleSocket(socket));
  // forwarded packets accumulate per slot object: a subscriber peer that is replaced does not count backwards
  const seen = new WeakMap<object, number>();
  let fwd = 0; let tdrops = 0;
  const seenDrops = new WeakMap<object, number>();
  app.get('/stats', async () => {
    let video = 0; let audio = 0; let pubs = 0; let subs = 0; let rx = 0; let rxGaps = 0;
    for (const room of hub.rooms.values()) {
      for (const p of room.participants()) {
        if (p.pub?.state === 'connected') pubs++;
        if (p.sub?.connected) subs++;
        for (const s of p.sub?.slots ?? []) {
          const n = s.video.counters.packets + s.audioPackets;
          fwd += n - (seen.get(s) ?? 0); seen.set(s, n);
          const d = s.video.counters.temporalDrops;
          tdrops += d - (seenDrops.get(s) ?? 0); seenDrops.set(s, d);
          if (s.video.layer) video++;
        }
        if (p.audible) audio += p.audioSinks.size;
        if (p.pub) { rx += p.pub.rx.q + p.pub.rx.h + p.pub.rx.f + p.pub.rx.audio; rxGaps += p.pub.rxGaps; }
      }
    }
    const lag = { p50: delay.percentile(50) / 1e6, p99: delay.percentile(99) / 1e6, max: delay.max / 1e6 };
    delay.reset();
    return { fwd, tdrops, rx, videoDownTracks: video, audioDownTracks: audio, lag, pubs, subs, gcMs, sealer: hub.sealer, shed: hub.overloadLevel, rxGaps };
  });
  // profile the measured window only (not the joins): `--prof DIR`
  const session = new Session();
  app.post('/prof/start', async () => { session.connect(); await session.post('Profiler.enable'); await session.post('Profiler.start'); return {}; });
  app.post('/prof/stop', async (req) => {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync((req.query as { file: string }).file, JSON.stringify(profile));
    session.disconnect();
    return {};
  });
  hub.start();
  await app.listen({ port: 0, host: '127.0.0.1' });
  out({ port: (app.server.address() as { port: number }).port, pid: process.pid });
}

/** Client process: `--count` synthetic participants; prints "ready", then stats on each "report" line. */
async function clients() {
  const { createSyntheticClient } = await import('../plugins/video/sfu/synthetic-client.js');
  const url = arg('url', ''); const first = Number(arg('first', '0')); const count = Number(arg('count', '1'));
  const list = Array.from({ length: count }, (_, i) => createSyntheticClient({
    url, room: 'bench', participant: `p${first + i}`, receive: true, light: args.includes('--light'), fps: Number(arg('fps', '15')), ...sockbuf(),
    // two talkers (one loud, one softer), everyone else silent: last-N forwards their audio
    audioLevel: first + i === 0 ? 30 : first + i === 1 ? 45 : 127,
  }));
  // joins four at a time: a room fills over a while, and a burst of 16 handshakes on a shared 2-core box can
  // outlast the generator's 20 s connection timeout
  for (let i = 0; i < list.length; i += 4) await Promise.all(list.slice(i, i + 4).map((c) => c.start()));
  const delay = monitorEventLoopDelay({ resolution: 10 }); delay.enable();
  out({ ready: true });
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    if (line === 'report') {
      const lat = list.flatMap((c) => c.stats.latenciesMs);
      out({ rx: list.reduce((n, c) => n + c.stats.rxVideo + c.stats.rxAudio, 0), lost: list.reduce((n, c) => n + c.stats.lost, 0), late: list.reduce((n, c) => n + c.stats.late, 0), lat: sample(lat, 20000), lagP99: delay.percentile(99) / 1e6 });
      delay.reset();
      for (const c of list) c.stats.latenciesMs.length = 0;
    }
    if (line === 'stop') break;
  }
  await Promise.all(list.map((c) => c.stop()));
  process.exit(0);
}

function sample(xs: number[], n: number) { if (xs.length <= n) return xs; const step = xs.length / n; return Array.from({ length: n }, (_, i) => xs[Math.floor(i * step)]!); }
function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, clock ticks (100 Hz)
}
function lines(cp: ChildProcess) {
  const rl = createInterface({ input: cp.stdout! });
  const queue: unknown[] = []; const waiters: Array<(v: unknown) => void> = [];
  rl.on('line', (l) => { let v: unknown; try { v = JSON.parse(l); } catch { return; } const w = waiters.shift(); if (w) w(v); else queue.push(v); });
  // a child that dies (a generator whose joins failed) ends the wait at once instead of at the timeout
  cp.once('exit', (code) => { for (const w of waiters.splice(0)) w({ exited: code }); });
  return (timeoutMs = 300_000) => new Promise<Record<string, unknown>>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('child did not answer')), timeoutMs);
    const done = (v: unknown) => {
      clearTimeout(t);
      if (v && typeof v === 'object' && 'exited' in v) reject(new Error(`child exited (${String((v as { exited: unknown }).exited)})`));
      else resolve(v as Record<string, unknown>);
    };
    if (queue.length) done(queue.shift()); else waiters.push(done);
  });
}
function node(extra: string[], nodeArgs: string[] = [], niceBy = 0) {
  const argv = [...nodeArgs, '--import', 'tsx', self, ...extra];
  // `nice` execs node: the pid is node's, and every thread of it runs at the lower priority
  const cp = niceBy > 0 ? spawn('nice', ['-n', String(niceBy), process.execPath, ...argv], { stdio: ['pipe', 'pipe', 'inherit'] })
    : spawn(process.execPath, argv, { stdio: ['pipe', 'pipe', 'inherit'] });
  cp.stdin!.on('error', () => undefined); // "stop" to a child that already died
  return cp;
}

async function main() {
  const seconds = Number(arg('seconds', '30'));
  const sizes = arg('sizes', '4,8,16,32').split(',').map(Number);
  const workers = Number(arg('workers', '2'));
  // The generators stand in for browsers on other machines: `--gen-nice N` runs them N nice levels below the SFU
  // so that on this 2-core box they do not take the SFU's CPU on equal terms (0 = same priority, as before)
  const genNice = Number(arg('gen-nice', '0'));
  const ncpu = cpus().length;
  // the peer figure of this run: what one forwarded packet costs at least in Node on this box (sfu-floor.ts)
  const floor = spawn(process.execPath, ['--import', 'tsx', self.replace(/sfu\.ts$/, 'sfu-floor.ts')], { stdio: ['ignore', 'inherit', 'inherit'] });
  await new Promise((r) => floor.once('exit', r));
  for (const n of sizes) {
    const prof = arg('prof', '') ? resolve(arg('prof', '')) : '';
    if (prof) mkdirSync(prof, { recursive: true });
    // `--semi-space MB`: V8's young generation for the SFU process (the forwarding path allocates per packet)
    const sfu = node(['--serve', ...(args.includes('--seal-worker') ? ['--seal-worker'] : [])], arg('semi-space', '') ? [`--max-semi-space-size=${arg('semi-space', '')}`] : []);
    const sfuNext = lines(sfu);
    const { port, pid } = await sfuNext() as { port: number; pid: number };
    const url = `ws://127.0.0.1:${port}/ws`;
    const per = Math.ceil(n / workers);
    const gen = args.includes('--full-receive') ? [] : ['--light'];
    const kids = Array.from({ length: Math.min(workers, n) }, (_, w) => node(['--clients', ...gen, '--fps', arg('fps', '15'), ...(arg('sockbuf', '') ? ['--sockbuf', arg('sockbuf', '')] : []), '--url', url, '--first', String(w * per), '--count', String(Math.max(0, Math.min(per, n - w * per)))], [], genNice));
    const nexts = kids.map(lines);
    try {
      await Promise.all(nexts.map((nx) => nx()));
      const stats = async () => (await (await fetch(`http://127.0.0.1:${port}/stats`)).json()) as { fwd: number; tdrops: number; rx: number; videoDownTracks: number; audioDownTracks: number; lag: unknown; pubs: number; subs: number; gcMs?: number; shed?: number; rxGaps?: number };
      // a loaded box leaves handshakes running (or failed, and republished) after the joins: measure a room whose
      // peers are all up, else the window sees publishers restarting (sequence jumps, counters reset)
      const settleFrom = Date.now();
      for (let st = await stats(); (st.pubs < n || st.subs < n) && Date.now() - settleFrom < 90_000; st = await stats()) await new Promise((r) => setTimeout(r, 1000));
      const settle_s = Math.round((Date.now() - settleFrom) / 1000);
      await new Promise((r) => setTimeout(r, 6000)); // layers settle, key frames land
      const report = async () => { for (const k of kids) k.stdin!.write('report\n'); return Promise.all(nexts.map((nx) => nx())); };
      const reps0 = await report();
      if (prof) await fetch(`http://127.0.0.1:${port}/prof/start`, { method: 'POST' });
      const k0 = kids.reduce((a, k) => a + cpuSeconds(k.pid!), 0);
      const kidPids = kids.map((k) => k.pid!);
      const u0 = { sfu: udpSample([pid]), gen: udpSample(kidPids), snmp: udpSnmp(), sched: schedstat(pid), mach: machineJiffies(), thr: threadTicks(pid) };
      const s0 = await stats(); const c0 = cpuSeconds(pid); const t0 = performance.now(); const load0 = loadavg()[0]!;
      await new Promise((r) => setTimeout(r, seconds * 1000));
      const s1 = await stats(); const c1 = cpuSeconds(pid); const dt = (performance.now() - t0) / 1000;
      const k1 = kids.reduce((a, k) => a + cpuSeconds(k.pid!), 0);
      const u1 = { sfu: udpSample([pid]), gen: udpSample(kidPids), snmp: udpSnmp(), sched: schedstat(pid), mach: machineJiffies(), thr: threadTicks(pid) };
      if (prof) await fetch(`http://127.0.0.1:${port}/prof/stop?file=${encodeURIComponent(`${prof}/sfu-${n}.cpuprofile`)}`, { method: 'POST' });
      const reps = await report();
      // counters are cumulative: the measured window is the difference (the joins' losses stay out)
      const sum = (rs: Array<Record<string, unknown>>, k: string) => rs.reduce((a, r) => a + Number(r[k]), 0);
      const rx = sum(reps, 'rx') - sum(reps0, 'rx'); const lost = sum(reps, 'lost') - sum(reps0, 'lost');
      const lat = reps.flatMap((r) => r.lat as number[]).sort((a, b) => a - b);
      const cpuCores = (c1 - c0) / dt;
      const downTracks = s1.videoDownTracks + s1.audioDownTracks;
      out({
        bench: 'sfu', participants: n, seconds: Math.round(dt), down_tracks: downTracks,
        video_down_tracks: s1.videoDownTracks, audio_down_tracks: s1.audioDownTracks,
        fwd_pps: Math.round((s1.fwd - s0.fwd) / dt), rx_pps: Math.round((s1.rx - s0.rx) / dt),
        temporal_drop_pps: Math.round((s1.tdrops - s0.tdrops) / dt), publisher_fps: Number(arg('fps', '15')), cpu_pct: Number((100 * cpuCores / ncpu).toFixed(1)),
        loss_pct: Number((100 * lost / Math.max(1, rx + lost)).toFixed(2)), lost_packets: lost, received_packets: rx, reordered_packets: sum(reps, 'late') - sum(reps0, 'late'),
        added_latency_ms_p95: lat.length ? Number(lat[Math.floor(lat.length * 0.95)]!.toFixed(1)) : null,
        added_latency_ms_p50: lat.length ? Number(lat[Math.floor(lat.length * 0.5)]!.toFixed(1)) : null,
        down_tracks_per_core: cpuCores > 0 ? Math.round(downTracks / cpuCores) : null,
        us_per_fwd_packet: s1.fwd > s0.fwd ? Number((1e6 * (c1 - c0) / (s1.fwd - s0.fwd)).toFixed(1)) : null,
        load_gen: gen.length ? 'light' : 'full', load_gen_cpu_pct: Number((100 * (k1 - k0) / dt / ncpu).toFixed(1)),
        sfu_loop_lag_ms: s1.lag, load_gen_loop_lag_ms_p99: reps.map((r) => Math.round(Number(r.lagP99))), connected: { publishers: s1.pubs, subscribers: s1.subs },
        // where the loss is: datagrams the kernel dropped on full receive buffers of the SFU's sockets (publisher →
        // SFU) and of the generators' sockets (SFU → subscriber), the namespace's counters (other processes too)
        // sequence gaps in what the SFU received from publishers (each one reaches every subscriber of the stream)
        sfu_input_gaps: (s1.rxGaps ?? 0) - (s0.rxGaps ?? 0),
        sfu_rcvbuf_drops: u1.sfu.drops - u0.sfu.drops, client_rcvbuf_drops: u1.gen.drops - u0.gen.drops,
        sfu_udp_sockets: u1.sfu.sockets, sfu_rx_queue_bytes: u1.sfu.rxQueueBytes,
        ns_udp_rcvbuf_errors: u1.snmp.RcvbufErrors! - u0.snmp.RcvbufErrors!, ns_udp_sndbuf_errors: u1.snmp.SndbufErrors! - u0.snmp.SndbufErrors!,
        // the SFU's threads runnable but not on a CPU (starved by other processes), in % of the window
        sfu_sched_wait_pct: Number((100 * (u1.sched[1] - u0.sched[1]) / 1e9 / dt).toFixed(1)),
        sfu_main_thread_cpu_pct_of_core: Number(((u1.thr.main - u0.thr.main) / dt).toFixed(1)),
        sfu_other_threads_cpu_pct_of_core: Number(((u1.thr.others - u0.thr.others) / dt).toFixed(1)),
        machine_busy_pct: Number((100 * (u1.mach[0] - u0.mach[0]) / Math.max(1, u1.mach[1] - u0.mach[1])).toFixed(1)),
        // load shedding (overload.ts): the level at the window's end (each level halves thumbnails' frame rate)
        shed_level: s1.shed ?? null,
        seal_worker: (s1 as { sealer?: unknown }).sealer ?? null,
        socket_buffer_bytes: Number(arg('sockbuf', '2097152')), sfu_semi_space_mb: arg('semi-space', '') ? Number(arg('semi-space', '')) : null,
        sfu_gc_pct_of_core: s1.gcMs !== undefined && s0.gcMs !== undefined ? Number(((s1.gcMs - s0.gcMs) / 10 / dt).toFixed(1)) : null,
        gen_nice: genNice, settle_s, connected_at_start: { publishers: s0.pubs, subscribers: s0.subs },
        cores: ncpu, load_avg_1m: [Number(load0.toFixed(1)), Number(loadavg()[0]!.toFixed(1))],
      });
    } catch (err) {
      // a room size that cannot be set up is a figure too: report it and go on with the next size
      out({ bench: 'sfu', participants: n, error: (err as Error).message });
    } finally {
      for (const k of kids) { k.stdin!.write('stop\n'); }
      await Promise.all(kids.map((k) => new Promise((r) => { const t = setTimeout(() => { k.kill('SIGKILL'); r(null); }, 8000); k.once('exit', () => { clearTimeout(t); r(null); }); })));
      sfu.kill('SIGTERM');
      await new Promise((r) => { const t = setTimeout(() => { sfu.kill('SIGKILL'); r(null); }, 3000); sfu.once('exit', () => { clearTimeout(t); r(null); }); });
    }
  }
}

if (args.includes('--serve')) await serve();
else if (args.includes('--clients')) await clients();
else await main();
