// The peer for the terminal benchmark: a bare `ws` server speaking just enough of the terminal protocol
// (hello → welcome, ping → pong, msg → the customer's message echoed) for the same generator, with no
// service, store or AI behind it. The chat server's figures are read against it, measured in the same run.
import { WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';

export async function startEchoPeer(): Promise<{ url: string; close(): Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: 1024 * 1024 });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  let seq = 0;
  wss.on('connection', (ws) => {
    ws.on('message', (raw) => {
      const m = JSON.parse(String(raw)) as { t: string; id?: number; text?: string };
      if (m.t === 'hello') ws.send(JSON.stringify({ t: 'welcome', conv: { id: 'peer' }, messages: [] }));
      else if (m.t === 'ping') ws.send(JSON.stringify({ t: 'pong', id: m.id }));
      else if (m.t === 'msg') ws.send(JSON.stringify({ t: 'msg', m: { from: 'customer', kind: 'text', text: m.text, seq: ++seq, ts: Date.now() } }));
    });
  });
  const { port } = wss.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => { for (const c of wss.clients) c.terminate(); wss.close(() => resolve()); }),
  };
}
