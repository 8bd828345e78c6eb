// A TCP proxy in a process of its own (not on the box's thread) that holds what the broker sends for a while: the
// box's PUBACKs arrive late, as from a master that stalls, so a whole window of events stays in flight. Forked with
// [brokerPort, delayMs]; answers {port} over IPC.
import { connect, createServer } from 'node:net';

const [target, delayMs] = process.argv.slice(2).map(Number);
const server = createServer((box) => {
  const broker = connect(target, '127.0.0.1');
  box.setNoDelay(true);
  broker.setNoDelay(true);
  box.on('data', (d) => broker.write(d));
  broker.on('data', (d) => setTimeout(() => { if (!box.destroyed) box.write(d); }, delayMs));
  const end = () => { box.destroy(); broker.destroy(); };
  for (const s of [box, broker]) { s.on('close', end); s.on('error', end); }
});
server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as { port: number }).port }));
process.on('disconnect', () => process.exit(0));
