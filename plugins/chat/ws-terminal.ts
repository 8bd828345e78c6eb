// The terminal's WebSocket: hello (resume with the last seen seq) → welcome; messages both ways; queue info.
import type { WebSocket } from 'ws';
import type { Logger } from 'pino';
import { toErrorBody } from '../../protocol/errors.js';
import type { Conversation } from './model.js';
import { terminalInSchema } from './model.js';
import type { ChatService, ServiceEvent } from './service.js';

/** what a terminal may see of a conversation */
export const terminalView = (c: Conversation) => ({ id: c.id, owner: c.owner, status: c.status, business: c.business, lang: c.lang, lastSeq: c.lastSeq, rated: Boolean(c.rating) });

/** staffed false: nobody who could take it is signed in, so no wait estimate is given (it would be invented) */
const queueFrame = (q: { position: number; etaMs: number; staffed: boolean; hours: { zh: string; en: string } }) =>
  ({ t: 'queue', position: q.position, etaSec: Math.round(q.etaMs / 1000), staffed: q.staffed, hours: q.hours });

export function handleTerminal(socket: WebSocket, deps: { service: ChatService; log: Logger; messagesPer10s: number }): void {
  const { service, log } = deps;
  let convId: string | null = null;
  let unsubscribe: (() => void) | null = null;
  /** tells the service this socket no longer shows the conversation (the customer may be gone) */
  let unlink: (() => Promise<void>) | null = null;
  const dropLink = () => { const u = unlink; unlink = null; u?.().catch((err: unknown) => log.warn({ err }, 'terminal unlink failed')); };
  let lastView = '';
  let window = { start: Date.now(), n: 0 };
  // frames sent in one tick (the customer's echo and the bot's answer) leave in one write: ws corks each frame
  // itself, and the cork count makes its uncork a no-op until ours on the next tick
  const tcp = (socket as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
  let corked = false;
  const send = (m: unknown) => {
    if (socket.readyState !== socket.OPEN) return;
    if (tcp && !corked) { corked = true; tcp.cork(); process.nextTick(() => { corked = false; tcp.uncork(); }); }
    socket.send(JSON.stringify(m));
  };

  const onEvent = (e: ServiceEvent) => {
    switch (e.type) {
      case 'message': if (e.conv.id === convId) send({ t: 'msg', m: e.message }); break;
      case 'conv': {
        if (e.conv.id !== convId) break;
        // most saves change nothing the terminal shows (lastSeq travels with each message): skip those
        const view = terminalView(e.conv);
        const key = `${view.owner}/${view.status}/${view.business}/${view.lang}/${view.rated}`;
        if (key !== lastView) { lastView = key; send({ t: 'conv', conv: view }); }
        break;
      }
      case 'queue': if (e.convId === convId) send(queueFrame(e)); break;
      case 'typing': if (e.convId === convId && e.from === 'agent') send({ t: 'typing' }); break;
      case 'read': if (e.convId === convId && e.by === 'agent') send({ t: 'read', seq: e.seq }); break;
      case 'rate_request': if (e.convId === convId) send({ t: 'rate_request' }); break;
      default: break;
    }
  };

  socket.on('message', (raw) => {
    let msg;
    try {
      msg = terminalInSchema.parse(JSON.parse(String(raw)));
    } catch {
      send({ t: 'error', code: 'CHAT_BAD_MESSAGE', message: 'malformed message' });
      return;
    }
    if (msg.t === 'ping') { send({ t: 'pong', id: msg.id }); return; }
    const now = Date.now();
    if (now - window.start > 10_000) window = { start: now, n: 0 };
    if (++window.n > deps.messagesPer10s) { send({ t: 'error', code: 'CHAT_RATE_LIMITED', message: 'too many messages' }); return; }
    const run = async () => {
      if (msg.t === 'hello') {
        const { conv, messages } = await service.open(msg);
        convId = conv.id;
        unsubscribe?.();
        unsubscribe = service.subscribeConv(conv.id, onEvent);
        // link the new one before unlinking the old: a language switch re-sends hello for the same conversation
        const previous = unlink;
        unlink = await service.link(conv.id);
        await previous?.();
        if (socket.readyState !== socket.OPEN) { dropLink(); return; }
        const view = terminalView(conv);
        lastView = `${view.owner}/${view.status}/${view.business}/${view.lang}/${view.rated}`;
        send({ t: 'welcome', conv: view, messages });
        if (conv.owner === 'queue') {
          send(queueFrame(service.queueInfo(conv.id)));
        }
        return;
      }
      if (!convId) { send({ t: 'error', code: 'CHAT_NO_HELLO', message: 'send hello first' }); return; }
      switch (msg.t) {
        case 'msg': await service.customerMessage(convId, msg); break;
        case 'human': await service.requestHuman(convId, msg.text); break;
        case 'typing': service.typing(convId, 'customer'); break;
        case 'read': service.read(convId, msg.seq, 'customer'); break;
        case 'rate': await service.rate(convId, msg.level, msg.comment); send({ t: 'rated', level: msg.level }); break;
        case 'end': await service.end(convId); break;
        default: break;
      }
    };
    run().catch((err: unknown) => {
      log.debug({ err }, 'terminal request failed');
      send({ t: 'error', ...toErrorBody(err) });
    });
  });
  socket.on('close', () => { unsubscribe?.(); unsubscribe = null; dropLink(); });
}
