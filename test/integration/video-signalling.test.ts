// Signalling robustness: malformed, oversized, out-of-order and random messages get error replies with
// codes and never break the room; a full room refuses with ROOM_FULL; a dropped socket rejoins the same
// participant; calls, hang-up and voice broadcast with per-terminal delivery status.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { WebSocket } from 'ws';
import { tempDir } from '../helpers/tmp.js';
import { closeAfter } from '../helpers/cleanup.js';
import { startVideoServer, type VideoServer } from './video-server.js';
import { createSyntheticClient } from '../../plugins/video/sfu/synthetic-client.js';
import { waitFor } from './video-browser-util.js';

type Msg = Record<string, unknown>;

async function client(srv: VideoServer) {
  const ws = new WebSocket(`ws://127.0.0.1:${srv.port}/p/video/ws`);
  const inbox: Msg[] = [];
  ws.on('message', (d) => inbox.push(JSON.parse(d.toString()) as Msg));
  await new Promise((r, j) => { ws.once('open', r); ws.once('error', j); });
  const next = async (pred: (m: Msg) => boolean, ms = 10_000, what = 'a reply') => {
    const found = await waitFor(what, async () => inbox.findIndex(pred), (i) => i >= 0, ms, 20);
    return inbox.splice(found, 1)[0]!;
  };
  return { ws, inbox, next, send: (m: unknown) => ws.send(typeof m === 'string' ? m : JSON.stringify(m)) };
}

// werift can leave a UDP socket open after close(): do not let the file's process hang once every test is done
after(() => { setTimeout(() => process.exit(process.exitCode ?? 0), 1000).unref(); });

test('signalling: garbage and out-of-order messages get coded errors; the room keeps working', { timeout: 120_000 }, async (t) => {
  const srv = await startVideoServer({ dataDir: await tempDir(t), config: { maxParticipants: 3 } });
  closeAfter(t, 'video server', () => srv.close());
  const url = `ws://127.0.0.1:${srv.port}/p/video/ws`;
  const pub = createSyntheticClient({ url, room: 'fz', participant: 'pub', layers: ['q'], subscribe: false });
  const watcher = createSyntheticClient({ url, room: 'fz', participant: 'watch', layers: [], audio: false, receive: true });
  t.after(() => Promise.all([pub.stop(), watcher.stop()]));
  await pub.start(); await watcher.start();

  const c = await client(srv);
  const cases: Array<[unknown, string]> = [
    ['{not json', 'BAD_JSON'],
    [{ t: 'nope' }, 'BAD_MESSAGE'],
    [{ t: 'join', room: '../etc', participant: 'x', name: 'x', role: 'customer' }, 'BAD_MESSAGE'],
    [{ t: 'answer', sdp: 'v=0 but no offer pending' }, 'NOT_JOINED'],
    [{ t: 'publish', sdp: 'v=0 publish before join' }, 'NOT_JOINED'],
    [{ t: 'mute', kind: 'audio', muted: true }, 'NOT_JOINED'],
    ['x'.repeat(300_000), 'TOO_LARGE'],
  ];
  for (const [m, code] of cases) {
    c.send(m);
    const r = await c.next((x) => x.t === 'error', 10_000, `error ${code}`);
    assert.equal(r.code, code, `reply to ${JSON.stringify(m).slice(0, 60)}`);
  }
  c.send({ t: 'join', room: 'fz', participant: 'fuzz', name: 'f', role: 'guest', ref: 'j' });
  await c.next((x) => x.t === 'joined', 10_000, 'joined');
  c.send({ t: 'join', room: 'fz', participant: 'fuzz2', name: 'f', role: 'guest' });
  assert.equal((await c.next((x) => x.t === 'error', 10_000, 'step 1')).code, 'ALREADY_JOINED');
  c.send({ t: 'publish', sdp: 'v=0\r\nthis is not an sdp\r\n', ref: 'p' });
  assert.equal((await c.next((x) => x.t === 'error' && x.ref === 'p', 10_000, 'step 2')).code, 'BAD_SDP');
  // the first offer is pending: a garbage answer fails, a second answer is out of order
  await c.next((x) => x.t === 'offer', 10_000, 'first offer');
  c.send({ t: 'answer', sdp: 'v=0\r\ngarbage answer\r\n', ref: 'a1' });
  assert.equal((await c.next((x) => x.t === 'error' && x.ref === 'a1', 10_000, 'step 3')).code, 'BAD_SDP');
  c.send({ t: 'answer', sdp: 'v=0\r\nanother one\r\n', ref: 'a2' });
  assert.equal((await c.next((x) => x.t === 'error' && x.ref === 'a2', 10_000, 'step 4')).code, 'UNEXPECTED');

  // random JSON values and random well-shaped messages: every one is answered or silently accepted,
  // and the socket stays open
  await fc.assert(fc.asyncProperty(
    fc.oneof(
      fc.json(),
      fc.record({ t: fc.constantFrom('join', 'publish', 'answer', 'mute', 'view', 'stats', 'broadcast.status', 'leave', 'ping', 'hello'), ref: fc.option(fc.string({ maxLength: 8 }), { nil: undefined }) }).map((x) => JSON.stringify(x)),
      fc.record({ t: fc.constant('stats'), ts: fc.double(), inbound: fc.array(fc.record({ mid: fc.string({ maxLength: 3 }), kind: fc.constantFrom('audio', 'video', 'x'), bytesReceived: fc.double() }), { maxLength: 5 }) }).map((x) => JSON.stringify(x)),
      fc.record({ t: fc.constant('view'), visible: fc.array(fc.string({ maxLength: 10 }), { maxLength: 40 }), pinned: fc.option(fc.string({ maxLength: 10 })) }).map((x) => JSON.stringify(x)),
    ),
    async (raw) => { c.send(raw); await new Promise((r) => setTimeout(r, 20)); },
  ), { numRuns: 150 });
  assert.equal(c.ws.readyState, WebSocket.OPEN);
  const errors = c.inbox.filter((m) => m.t === 'error');
  assert.ok(errors.length > 50, `errors were replied (${errors.length})`);
  for (const e of errors) assert.match(String(e.code), /^[A-Z_]+$/);

  // media still flows to the watcher
  const before = watcher.stats.rxVideo;
  await waitFor('video still forwarded', async () => watcher.stats.rxVideo, (n) => n > before + 20, 20_000);

  // the room is full at 3 (pub, watch, fuzz): a fourth gets ROOM_FULL (the fuzz may have sent `leave`: rejoin)
  c.send({ t: 'join', room: 'fz', participant: 'fuzz', name: 'f', role: 'guest' });
  await waitFor('fuzz back in the room', async () => (await (await fetch(`${srv.url}/p/video/rooms`)).json() as { rooms: Array<{ participants: unknown[] }> }).rooms[0]?.participants.length, (n) => n === 3, 10_000);
  const d = await client(srv);
  d.send({ t: 'join', room: 'fz', participant: 'late', name: 'l', role: 'guest' });
  assert.equal((await d.next((x) => x.t === 'error')).code, 'ROOM_FULL');
  d.ws.close(); c.ws.close();
});

test('calls: escalation from the bus, invite to the terminal, rejoin with the same call id, hang-up', { timeout: 60_000 }, async (t) => {
  const srv = await startVideoServer({ dataDir: await tempDir(t) });
  closeAfter(t, 'video server', () => srv.close());
  const term = await client(srv);
  term.send({ t: 'hello', terminal: 'kiosk-3' });
  await term.next((m) => m.t === 'hello');
  const created: Msg[] = []; const ended: Msg[] = []; const parts: Msg[] = [];
  srv.bus.on('video.call.created', 'test', (e) => { created.push(e as unknown as Msg); });
  srv.bus.on('video.call.ended', 'test', (e) => { ended.push(e as unknown as Msg); });
  srv.bus.on('video.call.participant', 'test', (e) => { parts.push(e as unknown as Msg); });
  srv.bus.emit('video.call.request', { conversationId: 'conv-42', terminals: ['kiosk-3'], requestId: 'r1' });
  const inv = await term.next((m) => m.t === 'invite');
  assert.equal(inv.conversationId, 'conv-42');
  assert.equal(created[0]!.conversationId, 'conv-42');
  const callId = String(inv.callId);

  const agent = await client(srv);
  agent.send({ t: 'join', room: 'ignored', callId, participant: 'agent-1', name: '坐席', role: 'agent' });
  const joined = await agent.next((m) => m.t === 'joined');
  assert.equal(joined.room, inv.room);
  // a network blip: the socket drops, the participant rejoins the same call on a new socket
  agent.ws.terminate();
  const again = await client(srv);
  again.send({ t: 'join', room: 'ignored', callId, participant: 'agent-1', name: '坐席', role: 'agent' });
  const rj = await again.next((m) => m.t === 'joined');
  assert.equal(rj.rejoined, true);
  assert.equal((await again.next((m) => m.t === 'offer')).fresh, true, 'a new peer connection');
  const unknown = await client(srv);
  unknown.send({ t: 'join', room: 'r', callId: 'no-such-call', participant: 'x', name: 'x', role: 'guest' });
  assert.equal((await unknown.next((m) => m.t === 'error')).code, 'UNKNOWN_CALL');

  await srv.command('video.hangup', { callId });
  await again.next((m) => m.t === 'hangup');
  assert.equal(ended[0]!.callId, callId);
  assert.deepEqual(parts.map((p) => p.event), ['joined', 'rejoined', 'left']);
  for (const c of [term, again, unknown]) c.ws.close();
});

test('calls: the invitation is answered or declined; an escalated call ends with its agent; a refused request says why', { timeout: 60_000 }, async (t) => {
  const srv = await startVideoServer({ dataDir: await tempDir(t), config: { maxRooms: 1 } });
  closeAfter(t, 'video server', () => srv.close());
  const seen: Msg[] = [];
  for (const ev of ['video.call.invite', 'video.call.ended', 'video.call.refused'] as const) srv.bus.on(ev, 'test', (e) => { seen.push({ ev, ...(e as object) }); });
  const term = await client(srv);
  term.send({ t: 'hello', terminal: 'kiosk-5' });
  await term.next((m) => m.t === 'hello');
  srv.bus.emit('video.call.request', { conversationId: 'conv-7', terminals: ['kiosk-5'], requestId: 'r1' });
  const inv = await term.next((m) => m.t === 'invite');
  term.send({ t: 'invite.reply', callId: inv.callId, answer: 'declined' });
  await waitFor('decline on the bus', async () => seen, (s) => s.some((e) => e.ev === 'video.call.invite'), 5000);
  assert.deepEqual(seen.find((e) => e.ev === 'video.call.invite'), { ev: 'video.call.invite', callId: inv.callId, conversationId: 'conv-7', terminal: 'kiosk-5', answer: 'declined' });
  // a terminal that was not invited cannot answer for the call
  const other = await client(srv);
  other.send({ t: 'hello', terminal: 'kiosk-x' });
  await other.next((m) => m.t === 'hello');
  other.send({ t: 'invite.reply', callId: inv.callId, answer: 'accepted' });

  srv.bus.emit('video.call.request', { conversationId: 'conv-8', terminals: ['kiosk-5'], requestId: 'r2' });
  await waitFor('refusal on the bus', async () => seen, (s) => s.some((e) => e.ev === 'video.call.refused'), 5000);
  assert.equal(seen.find((e) => e.ev === 'video.call.refused')!.code, 'TOO_MANY_CALLS');
  assert.equal(seen.find((e) => e.ev === 'video.call.refused')!.requestId, 'r2');

  const agent = await client(srv);
  agent.send({ t: 'join', room: 'x', callId: inv.callId, participant: 'agent-1', name: '坐席', role: 'agent' });
  await agent.next((m) => m.t === 'joined');
  const customer = await client(srv);
  customer.send({ t: 'join', room: 'x', callId: inv.callId, participant: 'terminal-kiosk-5', name: '客户', role: 'customer' });
  await customer.next((m) => m.t === 'joined');
  agent.send({ t: 'leave' });
  await customer.next((m) => m.t === 'hangup');
  const ended = await waitFor('call ended', async () => seen.filter((e) => e.ev === 'video.call.ended'), (e) => e.length === 1, 5000);
  assert.equal(ended[0]!.reason, 'agent_left');
  assert.equal(seen.filter((e) => e.ev === 'video.call.invite').length, 1, 'only the invited terminal answers');
  for (const c of [term, other, agent, customer]) c.ws.close();
});

test('voice broadcast: espeak-ng announcement to terminals with per-terminal status', { timeout: 60_000 }, async (t) => {
  const srv = await startVideoServer({ dataDir: await tempDir(t), config: { broadcast: { ackTimeoutMs: 1500 } } });
  closeAfter(t, 'video server', () => srv.close());
  const statuses: Msg[] = [];
  srv.bus.on('video.broadcast.status', 'test', (e) => { statuses.push(e as unknown as Msg); });
  const k1 = await client(srv); k1.send({ t: 'hello', terminal: 'k1' }); await k1.next((m) => m.t === 'hello');
  const k2 = await client(srv); k2.send({ t: 'hello', terminal: 'k2' }); await k2.next((m) => m.t === 'hello');
  const res = await srv.command('video.broadcast', { text: '请三号窗口的客户到柜台办理业务', terminals: ['k1', 'k2', 'offline-9'] }) as { id: string; url: string; targets: Record<string, { status: string }> };
  assert.equal(res.targets['offline-9']!.status, 'failed');
  const m1 = await k1.next((m) => m.t === 'broadcast');
  await k2.next((m) => m.t === 'broadcast');
  const wav = Buffer.from(await (await fetch(`${srv.url}${String(m1.url)}`)).arrayBuffer());
  assert.equal(wav.subarray(0, 4).toString('latin1'), 'RIFF');
  assert.ok(wav.length > 20_000, `speech audio (${wav.length} bytes)`);
  k1.send({ t: 'broadcast.status', id: res.id, status: 'delivered' });
  k1.send({ t: 'broadcast.status', id: res.id, status: 'played' });
  // k2 never acknowledges: it times out as failed
  const final = await waitFor('final statuses', async () => srv.command('video.broadcast.status', { id: res.id }) as Promise<{ targets: Record<string, { status: string; reason?: string }> }>,
    (b) => b.targets.k1?.status === 'played' && b.targets.k2?.status === 'failed', 10_000);
  assert.equal(final.targets.k2!.reason, 'no acknowledgement');
  assert.ok(statuses.some((s) => s.target === 'k1' && s.status === 'delivered'));
  await assert.rejects(Promise.resolve(srv.command('video.broadcast', { clipBase64: Buffer.from('not audio').toString('base64'), terminals: ['k1'] })), /BAD_AUDIO|must be WAV/);
  // no targets: a hall announcement goes to every connected terminal (review s7 #11: it was `give terminals or rooms`)
  const all = await srv.command('video.broadcast', { text: '大厅广播' }) as { id: string; targets: Record<string, { status: string }> };
  assert.deepEqual(Object.keys(all.targets).sort(), ['k1', 'k2']);
  await k1.next((m) => m.t === 'broadcast' && m.id === all.id);
  await k2.next((m) => m.t === 'broadcast' && m.id === all.id);
  await assert.rejects(Promise.resolve(srv.command('video.broadcast', { terminals: ['k1'] })), (e: Error & { code?: string }) => e.code === 'BAD_ARGS' && /give text .* or clipBase64/.test(e.message));
  k1.ws.close(); k2.ws.close();
  await waitFor('terminals gone', async () => srv.command('video.broadcast', { text: '大厅广播' }).then(() => '', (e: Error & { code?: string }) => e.code ?? ''), (c) => c === 'NO_TERMINALS', 5000);
});

test('a page closed without its leave (close code 1001, going away) leaves at once; a dropped socket waits out the rejoin grace', { timeout: 60_000 }, async (t) => {
  const srv = await startVideoServer({ dataDir: await tempDir(t), config: { rejoinGraceMs: 60_000 } });
  closeAfter(t, 'video server', () => srv.close());
  const join = async (participant: string) => {
    const c = await client(srv);
    c.send({ t: 'join', room: 'gone', participant, name: participant, role: 'guest', subscribe: false });
    await c.next((m) => m.t === 'joined', 10_000, `${participant} joined`);
    return c;
  };
  const stay = await join('stay');
  const closer = await join('closer');
  const dropped = await join('dropped');
  t.after(() => { for (const c of [stay, closer, dropped]) c.ws.terminate(); });
  // a browser that gave up on the page's unload handlers still closes its sockets with 1001
  closer.ws.close(1001);
  const gone = (id: string) => (m: Msg) => m.t === 'participant' && (m.event === 'left' || m.event === 'away') && (m.participant as Msg).id === id;
  const left = await stay.next(gone('closer'), 10_000, 'closer gone');
  assert.equal(left.event, 'left');
  // a network drop (no close frame) is a blip: away, and still in the room for the grace
  dropped.ws.terminate();
  const away = await stay.next(gone('dropped'), 10_000, 'dropped away');
  assert.equal(away.event, 'away');
  await new Promise((r) => setTimeout(r, 1000));
  assert.ok(!stay.inbox.some((m) => m.t === 'participant' && m.event === 'left' && (m.participant as Msg).id === 'dropped'), 'a dropped socket left before its grace');
});
