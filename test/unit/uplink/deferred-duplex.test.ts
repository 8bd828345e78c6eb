import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Duplex } from 'node:stream';
import { once } from 'node:events';
import { createDeferredDuplex } from '../../../daemon/uplink/deferred-duplex.js';

/** A stand-in link: records what it is sent and lets the test push bytes back. */
function fakeLink() {
  const written: Buffer[] = [];
  const link = new Duplex({ read() {}, write(c, _e, cb) { written.push(c); cb(); } });
  return { link, written };
}

test('bytes written before the link opens are delivered once it does, and replies flow back', async () => {
  const { link, written } = fakeLink();
  let open!: (d: Duplex) => void;
  const proxy = createDeferredDuplex(new Promise((r) => { open = r; }));
  proxy.write(Buffer.from('CONNECT'));
  proxy.write(Buffer.from('+more'));
  await new Promise((r) => setImmediate(r));
  assert.equal(written.length, 0);
  open(link);
  await new Promise((r) => setImmediate(r));
  assert.equal(Buffer.concat(written).toString(), 'CONNECT+more');
  link.push(Buffer.from('CONNACK'));
  const [chunk] = await once(proxy, 'data');
  assert.equal(chunk.toString(), 'CONNACK');
  link.destroy();
  await once(proxy, 'close');
});

test('a link that fails to open destroys the proxy with its error; a link that opens too late is closed', async () => {
  const failing = createDeferredDuplex(Promise.reject(Object.assign(new Error('no link up'), { code: 'NO_LINK' })));
  const [err] = await once(failing, 'error');
  assert.equal(err.code, 'NO_LINK');

  const { link } = fakeLink();
  let open!: (d: Duplex) => void;
  const proxy = createDeferredDuplex(new Promise((r) => { open = r; }));
  proxy.destroy();
  open(link);
  await new Promise((r) => setImmediate(r));
  assert.ok(link.destroyed, 'the late link is not leaked');
});
