// `npm run bench -- sfu-floor`: the per-packet floor any Node.js SFU pays on this machine, the peer figure for
// bench/sfu.ts's us_per_fwd_packet. A forwarded packet costs at least one AES-128-GCM encryption (SRTP, a
// fresh cipher per packet: Node cannot re-key one) and one UDP send; both are measured here alone, with the
// receiving socket in another process (as the SFU's subscribers are). One JSON line.
import { createSocket } from 'node:dgram';
import { createCipheriv, randomBytes } from 'node:crypto';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const out = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);

async function sink() {
  const rx = createSocket('udp4');
  rx.on('message', () => undefined);
  rx.bind(0, '127.0.0.1', () => process.send!({ port: rx.address().port }));
  process.on('disconnect', () => process.exit(0));
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
  out({ bench: 'sfu-floor', us_per_packet_gcm: gcm, us_per_packet_udp_send: send, us_per_packet_gcm_and_send: both, packet_bytes: 1100 });
  tx.close();
  child.disconnect();
}

if (process.argv.includes('--sink')) await sink();
else await main();
