// Pure parts of the master's broker side: the policy, the packet meter, the connect limiter, the credentials.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canPublish, canSubscribe, clientIdOwner, filterWithin, mosquittoAcl, sessionKind, topicMatches, type Principal } from '../../master/broker/policy.js';
import { createPacketMeter } from '../../master/broker/packet-guard.js';
import { createConnectLimiter } from '../../master/broker/connect-limiter.js';
import { createCredentialStore } from '../../master/credentials/credential-store.js';
import { verifyPassword } from '../../master/credentials/password-hash.js';
import { boxSubscriptions, topics } from '../../protocol/topics.js';
import { tempDir } from '../helpers/tmp.js';

const box: Principal = { role: 'box', username: 'hall-01', box: 'hall-01', region: 'dandong' };
const service: Principal = { role: 'service', username: 'kefu-master' };
const me = { region: 'dandong', box: 'hall-01' };
const other = { region: 'dandong', box: 'hall-02' };

test('a box publishes only the box→master topics of its own root', () => {
  for (const topic of [topics.state(me), topics.event(me, 'chat', 'message'), topics.telemetry(me, 'signal'), topics.result(me, 'c-1'), topics.cfgReported(me)]) {
    assert.equal(canPublish(box, topic), true, topic);
  }
  for (const topic of [topics.state(other), topics.event(other, 'chat', 'x'), topics.command(me, 'x'), topics.cfg(me), topics.regionBroadcast('dandong', 'x'),
    'kefu/v1/dandong/hall-01/evt/a', 'kefu/v1/dandong/hall-01/evt/a/b/c', 'kefu/v1/shenyang/hall-01/state', '$SYS/x', 'kefu/v1/dandong/hall-01/state/extra', '', 'kefu/v1/dandong/hall-01/tel/+']) {
    assert.equal(canPublish(box, topic), false, topic);
  }
  assert.equal(canPublish(service, topics.command(other, 'x')), true);
  assert.equal(canPublish(service, '$SYS/broker/x'), false);
});

test('a box subscribes only inside its grants; the service anywhere', () => {
  for (const f of boxSubscriptions(me)) assert.equal(canSubscribe(box, f), true, f);
  assert.equal(canSubscribe(box, topics.command(me, 'system.info')), true);
  for (const f of ['#', 'kefu/#', 'kefu/v1/dandong/+/cmd/+', topics.command(other, 'x'), 'kefu/v1/dandong/hall-01/cmd/#', 'kefu/v1/dandong/hall-01/state', '$share/g/kefu/v1/dandong/hall-01/cmd/+', '$SYS/#']) {
    assert.equal(canSubscribe(box, f), false, f);
  }
  assert.equal(canSubscribe(service, '$share/kefu-master/kefu/v1/+/+/evt/#'), true);
});

test('filterWithin(f, p) means every topic f matches is matched by p (property)', () => {
  const level = fc.constantFrom('a', 'b', '+', '#');
  const filter = fc.array(level, { minLength: 1, maxLength: 4 }).filter((ls) => ls.indexOf('#') === -1 || ls.indexOf('#') === ls.length - 1).map((ls) => ls.join('/'));
  const topic = fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: 1, maxLength: 5 }).map((ls) => ls.join('/'));
  fc.assert(fc.property(filter, filter, fc.array(topic, { maxLength: 30 }), (f, p, ts) => {
    if (!filterWithin(f, p)) return true;
    return ts.every((t) => !topicMatches(f, t) || topicMatches(p, t));
  }), { numRuns: 2000 });
});

test('the Mosquitto ACL lists the same grants', () => {
  const acl = mosquittoAcl([box, service]);
  assert.match(acl, /^user hall-01$/m);
  assert.match(acl, /^topic write kefu\/v1\/dandong\/hall-01\/evt\/\+\/\+$/m);
  assert.match(acl, /^topic read kefu\/v1\/_all\/cmd\/\+$/m);
  assert.match(acl, /^user kefu-master\ntopic readwrite #$/m);
  assert.doesNotMatch(acl, /hall-02/);
});

test('the packet meter cuts a packet that announces more than the limit, across any chunking', () => {
  const publish = (bodyLen: number) => {
    const len: number[] = [];
    let n = bodyLen;
    do { let b = n % 128; n = Math.floor(n / 128); if (n > 0) b |= 0x80; len.push(b); } while (n > 0);
    return Buffer.concat([Buffer.from([0x30, ...len]), Buffer.alloc(bodyLen, 1)]);
  };
  const stream = Buffer.concat([publish(10), publish(200), Buffer.from([0xc0, 0x00]), publish(1000)]);
  for (const chunk of [1, 3, 7, 64, stream.length]) {
    const ok = createPacketMeter(2000);
    const small = createPacketMeter(500);
    let okResult = true;
    let smallResult = true;
    for (let i = 0; i < stream.length; i += chunk) {
      okResult &&= ok.push(stream.subarray(i, i + chunk));
      smallResult &&= small.push(stream.subarray(i, i + chunk));
    }
    assert.equal(okResult, true, `chunk ${chunk}`);
    assert.equal(smallResult, false, `chunk ${chunk}`);
  }
  assert.equal(createPacketMeter(1 << 20).push(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01])), false, 'a 5-byte length is malformed');
});

test('the connect limiter allows perWindow connects per address and window, and stays bounded', () => {
  const l = createConnectLimiter({ perWindow: 2, windowMs: 1000, maxAddresses: 3 });
  assert.deepEqual([l.allow('a', 0), l.allow('a', 1), l.allow('a', 2), l.allow('b', 2)], [true, true, false, true]);
  assert.equal(l.allow('a', 1001), true, 'a new window');
  for (let i = 0; i < 100; i++) l.allow(`x${i}`, 1002);
  assert.equal(l.allow('a', 1003), true, 'evicted, not blocked forever');
});

test('credentials: scrypt hashes, no plaintext on disk, re-read after an outside change', async (t) => {
  const dir = await tempDir(t);
  const a = createCredentialStore({ dataDir: dir });
  const b = createCredentialStore({ dataDir: dir });
  const { password } = await a.addBox('hall-01', 'dandong');
  const { readFile, stat } = await import('node:fs/promises');
  const raw = await readFile(a.file, 'utf8');
  assert.ok(!raw.includes(password));
  assert.equal((await stat(a.file)).mode & 0o077, 0, 'owner-only file');
  const rec = JSON.parse(raw).users['hall-01'];
  assert.match(rec.scrypt, /^scrypt\$16384\$8\$1\$/);
  assert.match(rec.mosquitto, /^\$7\$\d+\$/);
  assert.equal(await verifyPassword(rec.scrypt, password), true);
  assert.deepEqual(await b.verify('hall-01', password), { role: 'box', username: 'hall-01', box: 'hall-01', region: 'dandong', stamp: String(rec.createdAt) });
  assert.equal(await b.verify('hall-01', 'wrong'), null);
  await assert.rejects(b.addBox('hall-01', 'dandong'), { code: 'BOX_EXISTS', message: /kefu master box rotate hall-01/ });
  // rotation: a new password, the old one refused, a new stamp (running sessions with the old one are closed)
  const rotated = await a.rotateBox('hall-01');
  assert.notEqual(rotated.password, password);
  assert.equal(await b.verify('hall-01', password), null, 'the old password stops working');
  const who = await b.verify('hall-01', rotated.password);
  assert.equal(who?.role, 'box');
  assert.notEqual(who?.stamp, String(rec.createdAt));
  await assert.rejects(a.rotateBox('ghost'), { code: 'BOX_UNKNOWN' });
  await assert.rejects(b.addBox('_all', 'dandong'), { code: 'BOX_ID_INVALID' });
  await b.removeBox('hall-01');
  assert.equal(await a.verify('hall-01', password), null, 'the other instance sees the removal');
});

test('side sessions ({box}-probe-{link}, {box}-doctor) authenticate as the box but may only ping', () => {
  assert.equal(sessionKind('hall-01', 'hall-01'), 'main');
  assert.equal(sessionKind('hall-01', 'hall-01-probe-wired'), 'side');
  assert.equal(sessionKind('hall-01', 'hall-01-doctor'), 'side');
  assert.equal(sessionKind('hall-01', 'hall-01-'), null);
  assert.equal(sessionKind('hall-01', 'hall-02'), null);
  assert.equal(sessionKind('hall-01', 'hall-01-probe-a/b'), null);
  const probe: Principal = { ...box, side: true } as Principal;
  assert.equal(canPublish(probe, topics.state(me)), false);
  assert.equal(canSubscribe(probe, topics.command(me, 'x')), false);
});

test('a client id belongs to the service user it starts with, else to the longest username prefixing it', () => {
  const ps: Principal[] = [
    { role: 'service', username: 'kefu-master' },
    { role: 'box', username: 'hall', box: 'hall', region: 'r' },
    { role: 'box', username: 'hall-01', box: 'hall-01', region: 'r' },
    { role: 'box', username: 'kefu', box: 'kefu', region: 'r' },
  ];
  assert.equal(clientIdOwner('hall', ps), 'hall');
  assert.equal(clientIdOwner('hall-doctor', ps), 'hall');
  assert.equal(clientIdOwner('hall-01', ps), 'hall-01', 'box "hall" cannot take over hall-01');
  assert.equal(clientIdOwner('hall-01-probe-5g', ps), 'hall-01');
  assert.equal(clientIdOwner('kefu-master-main', ps), 'kefu-master', 'box "kefu" cannot take over the master session');
  assert.equal(clientIdOwner('other', ps), null);
});

test('master/config.example.yaml is a valid config', async () => {
  const { loadMasterConfigFile, parseMasterConfig } = await import('../../master/config.js');
  const cfg = parseMasterConfig(await loadMasterConfigFile(new URL('../../master/config.example.yaml', import.meta.url).pathname));
  assert.equal(cfg.broker.tls?.port, 8883);
  assert.equal(cfg.external, null);
  // nothing in clear off loopback: MQTT, WebSocket and HTTP on other interfaces are TLS (review s7 #19)
  const loopback = (host: string) => host === '127.0.0.1' || host === '::1' || host === 'localhost';
  assert.ok(cfg.broker.tcp && loopback(cfg.broker.tcp.host), 'plain MQTT only on loopback');
  assert.ok(cfg.broker.ws && (loopback(cfg.broker.ws.host) || cfg.broker.ws.tls), 'WebSocket: TLS or loopback');
  assert.ok(loopback(cfg.http.host) || cfg.http.tls, 'HTTP: TLS or loopback');
  assert.ok(cfg.http.tls?.ca, 'the CA the CLI trusts');
  assert.ok(cfg.publicHost, 'printed URLs name the host boxes use');
  // and with no config at all, the plain listeners stay on loopback
  const bare = parseMasterConfig({ dataDir: '/tmp/x' });
  assert.equal(bare.broker.tcp?.host, '127.0.0.1');
  assert.equal(bare.http.host, '127.0.0.1');
  assert.throws(() => parseMasterConfig({ dataDir: '', http: { port: -1 } }), (err: Error & { issues?: string[] }) => err.issues?.length === 2);
  // a misspelt key is an error with a suggestion, not a listener silently without TLS
  assert.throws(() => parseMasterConfig({ dataDir: '/x', publichost: 'm.example', broker: { tlss: { port: 8883, cert: 'c', key: 'k' } } }), (err: Error & { issues?: string[] }) =>
    JSON.stringify(err.issues) === JSON.stringify(['publichost: unknown key (did you mean "publicHost"?)', 'broker.tlss: unknown key (did you mean "tls"?)']));
});
