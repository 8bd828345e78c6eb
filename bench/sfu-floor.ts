// `npm run bench -- sfu-floor`: the per-packet floor any Node.js SFU pays on this machine, the peer figure for
// bench/sfu.ts's us_per_fwd_packet. A forwarded packet costs at least one AES-128-GCM encryption (SRTP, a
// fresh cipher per packet: Node cannot re-key one) and one UDP send; both are measured here alone, with the
// receiving socket in another process (as the SFU's subscribers are). One JSON line.
import { createSocket } from 'node:dgram';
import { createCipheriv, randomBytes } from 'node:crypto';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readFileSync, readdirSync } from 'node:fs';
import { createSealPool } from '../plugins/video/sfu/seal-pool.js';
import { sealRtpGcm } from '../plugins/video/sfu/srtp-gcm.js';

const out = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);

async function sink() {
  const rx = createSocket('udp4');
  rx.on('message', () => undefined);
  rx.bind(0, '127.0.0.1', () => process.send!({ port: rx.address().port }));
  process.on('disconnect', () => process.exit(0));
}

/** CPU ticks (10 ms) of this process's main thread and of its other threads */
function threadTicks() {
  let main = 0; let others = 0;
  for (const t of readdirSync('/proc/self/task')) {
    const f = readFileSync(`/proc/self/task/${t}/stat`, 'utf8').split(') ')[1]!.split(' ');
    const ticks = Number(f[11]) + Number(f[12]);
    if (t === String(process.pid)) main += ticks; else others += ticks;
  }
  return { main, others };
}

async function main() {
  const child = fork(fileURLToPath(import.meta.url), ['--sink'], { execArgv: ['--import', 'tsx'] });
  const port = await new Promise<number>((r) => child.once('message', (m) => r((m as { port: number }).port)));
  const tx = createSocket('udp4');
  await new Promise<void>((r) => tx.bind(0, '127.0.0.1', () => r()));
  const payload = randomBytes(1100); const key = randomBytes(16); const header = payload.subarray(0, 12);
  const seal = () => {
    const c = createCipheriv('aes-128-gcm', key, randomBytes(12));
    c.setAAD(header);
    const enc = c.update(payload); c.final();
    return Buffer.concat([header, enc, c.getAuthTag()]);
  };
  const measure = async (what: (i: number) => void) => {
    const c0 = process.cpuUsage(); const t0 = performance.now(); let n = 0;
    while (performance.now() - t0 < 2000) {
      for (let i = 0; i < 100; i++) what(n++);
      await new Promise((r) => setImmediate(r)); // let the sends' callbacks run, as an event loop would
    }
    const c = process.cpuUsage(c0);
    return Number(((c.user + c.system) / n).toFixed(1));
  };
  const gcm = await measure(() => { seal(); });
  const send = await measure(() => { tx.send(payload, port, '127.0.0.1'); });
  const both = await measure(() => { tx.send(seal(), port, '127.0.0.1'); });
  // the SFU's sealing thread (seal-pool.ts): what a sealed and sent packet costs the event loop's thread, and the
  // worker's; per-thread CPU from /proc (the ring's backpressure waits are not CPU)
  const salt = randomBytes(14); const hdr = payload.subarray(0, 12);
  const inline = await measure((i) => { tx.send(sealRtpGcm(key, salt, hdr, payload.subarray(12), 0x1234, 0, i & 0xffff), port, '127.0.0.1'); });
  const pool = createSealPool(); pool.start();
  for (let i = 0; i < 500 && !pool.seal(key, salt, hdr, payload, undefined, 1, 0, 0, tx, port, '127.0.0.1'); i++) await new Promise((r) => setTimeout(r, 10));
  const m0 = threadTicks(); const t0 = performance.now(); let n = 0;
  while (performance.now() - t0 < 2000) {
    for (let i = 0; i < 100; i++) { pool.seal(key, salt, hdr, payload.subarray(12), undefined, 0x1234, 0, n & 0xffff, tx, port, '127.0.0.1'); n++; }
    await new Promise((r) => setImmediate(r));
  }
  const m1 = threadTicks();
  await pool.stop();
  out({
    bench: 'sfu-floor', us_per_packet_gcm: gcm, us_per_packet_udp_send: send, us_per_packet_gcm_and_send: both, packet_bytes: 1100,
    us_per_packet_inline_seal_send: inline,
    seal_worker_us_per_packet_event_loop: Number((1e4 * (m1.main - m0.main) / n).toFixed(1)),
    seal_worker_us_per_packet_other_threads: Number((1e4 * (m1.others - m0.others) / n).toFixed(1)),
    seal_worker_overflow: pool.overflow,
  });
  tx.close();
  child.disconnect();
}

if (process.argv.includes('--sink')) await sink();
else await main();
