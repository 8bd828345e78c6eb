// The master side of `bench/outbox.ts` in its own thread (a real box and broker never share a core): an aedes
// broker and a subscriber counting distinct envelope ids. Plain JS: worker threads do not inherit tsx.
import { createServer } from 'node:net';
import { parentPort } from 'node:worker_threads';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';

const aedes = await Aedes.createBroker();
const server = createServer(aedes.handle);
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = server.address().port;
const sub = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'bench-master', clean: true });
let ids = new Set();
sub.on('message', (_topic, payload) => { ids.add(JSON.parse(payload.toString()).id); });
await sub.subscribeAsync('kefu/v1/bench/+/evt/#', { qos: 1 });
let last = -1;
const ticker = setInterval(() => { if (ids.size !== last) { last = ids.size; parentPort.postMessage({ count: ids.size }); } }, 5);
parentPort.on('message', async (m) => {
  if (m === 'reset') { ids = new Set(); last = -1; parentPort.postMessage({ count: 0, reset: true }); }
  if (m === 'stop') {
    clearInterval(ticker);
    await sub.endAsync(true);
    await new Promise((r) => aedes.close(r));
    server.close();
    parentPort.close();
  }
});
parentPort.postMessage({ port });
