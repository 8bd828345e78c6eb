// AT engine rules on an in-memory port: prompts, final codes, echo, URCs before a reply starts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAtEngine, type Urc } from '../../transports/cellular/at/engine.js';
import { AtCommandError } from '../../transports/cellular/at/errors.js';
import type { AtPort } from '../../transports/cellular/at/serial-port.js';

/** A port whose "modem" is a function from the written text to what it sends back. */
function fakePort(modem: (written: string, send: (s: string) => void) => void): AtPort & { written: string[]; drop(): void } {
  const data = new Set<(c: string) => void>();
  const close = new Set<(e?: Error) => void>();
  const written: string[] = [];
  const send = (s: string) => setImmediate(() => { for (const l of data) l(s); });
  return {
    path: '/dev/fake', written,
    async write(s) { written.push(s); modem(s, send); },
    onData(l) { data.add(l); return () => data.delete(l); },
    onClose(l) { close.add(l); return () => close.delete(l); },
    async close() { for (const l of close) l(); },
    drop() { for (const l of close) l(new Error('gone')); },
  };
}

test('an SMS-style prompt gets the payload and Ctrl-Z; the final +CMGS reply resolves', async () => {
  const port = fakePort((w, send) => {
    if (w === 'AT+CMGS="10086"\r') send('\r\n> ');
    else if (w === 'hello\x1a') send('\r\n+CMGS: 17\r\n\r\nOK\r\n');
  });
  const e = createAtEngine({ port });
  const r = await e.send('AT+CMGS="10086"', { payload: 'hello' });
  assert.deepEqual(r.lines, ['+CMGS: 17']);
  assert.deepEqual(port.written, ['AT+CMGS="10086"\r', 'hello\x1a']);
});

test('final codes: +CMS ERROR, NO CARRIER, verbose +CME text; echo is dropped, RING before a reply is a URC', async () => {
  const replies: Record<string, string> = {
    'AT+CMGS=1\r': 'AT+CMGS=1\r\r\n+CMS ERROR: 500\r\n',
    'ATD*99#\r': '\r\nNO CARRIER\r\n',
    'AT+CPIN?\r': '\r\n+CME ERROR: SIM not inserted\r\n',
    'AT+CSQ\r': 'AT+CSQ\r\r\nRING\r\n\r\n+CSQ: 20,99\r\n\r\nOK\r\n',
  };
  const e = createAtEngine({ port: fakePort((w, send) => send(replies[w] ?? '\r\nERROR\r\n')) });
  const urcs: Urc[] = [];
  e.onUrc((u) => urcs.push(u));
  await assert.rejects(e.send('AT+CMGS=1'), (x: unknown) => x instanceof AtCommandError && x.code === 'AT_CMS_ERROR' && x.cme === '500');
  await assert.rejects(e.send('ATD*99#'), (x: unknown) => x instanceof AtCommandError && x.code === 'AT_NO_CARRIER');
  await assert.rejects(e.send('AT+CPIN?'), (x: unknown) => x instanceof AtCommandError && x.cme === 'SIM not inserted');
  const r = await e.send('AT+CSQ');
  assert.deepEqual(r.lines, ['+CSQ: 20,99']);
  assert.deepEqual(urcs.map((u) => u.line), ['RING']);
});

test('a port that drops mid-command rejects it and every queued command with AT_PORT_CLOSED', async () => {
  const port = fakePort(() => undefined);
  const e = createAtEngine({ port, defaultTimeoutMs: 5000 });
  const a = e.send('AT').then(() => null, (x: unknown) => x);
  const b = e.send('ATI').then(() => null, (x: unknown) => x);
  setTimeout(() => port.drop(), 20);
  for (const x of [await a, await b]) assert.ok(x instanceof AtCommandError && x.code === 'AT_PORT_CLOSED', String(x));
  assert.equal(e.closed, true);
});
