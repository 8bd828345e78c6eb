// The retry policy of the probe and uplink sessions: backoff figures and what reaches the log (review s7 #4, #5).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../../daemon/logger.js';
import { classifyFailure, createConnectRetry, moreTelling, type FailureKind } from '../../transports/manager/connect-retry.js';
import { TransportError } from '../../protocol/errors.js';

function capture() {
  const lines: Array<Record<string, any>> = [];
  const destination = new Writable({ write(chunk, _e, cb) { for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l)); cb(); } });
  return { lines, log: createLogger({ level: 'debug', destination }) };
}
const flush = () => new Promise((r) => setImmediate(r));
const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
const authRefused = () => Object.assign(new TransportError('PROBE_REFUSED', 'broker refused the probe session: bad username or password (rc 4)'), { auth: true });

test('failed attempts back off exponentially with jitter up to the cap; a refused login goes straight to the long delay; success resets', () => {
  let now = 0;
  for (const r of [0, 0.5, 0.999]) {
    const retry = createConnectRetry({ log: capture().log, what: {}, label: 'x', baseMs: 1000, maxMs: 60_000, now: () => now, random: () => r });
    const delays = Array.from({ length: 9 }, () => retry.failed(refused()));
    const steps = [1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000];
    delays.forEach((d, i) => assert.ok(d >= steps[i] / 2 && d <= steps[i], `attempt ${i + 1}: ${d} ms outside [${steps[i] / 2}, ${steps[i]}]`));
    retry.succeeded();
    assert.ok(retry.failed(refused()) <= 1000, 'success did not reset the backoff');
    retry.succeeded();
    const auth = retry.failed(authRefused());
    assert.ok(auth >= 30_000 && auth <= 60_000, `a refused login waits ${auth} ms`);
    // a session that never reached the broker (no link up) is not the broker's load: no growth
    const fresh = createConnectRetry({ log: capture().log, what: {}, label: 'x', baseMs: 1000, now: () => now, random: () => r });
    for (let i = 0; i < 6; i++) assert.equal(fresh.failed(new TransportError('NO_LINK', 'no transport link is up')), 1000);
  }
});

test('attempts against a broker refusing the password: at most 2 a minute (the probe looping on its 250 ms tick made 236)', () => {
  let now = 0;
  const retry = createConnectRetry({ log: capture().log, what: {}, label: 'x', now: () => now });
  let attempts = 0;
  for (let next = 0; next < 10 * 60_000;) { now = next; attempts++; next = now + retry.failed(authRefused()); }
  assert.ok(attempts <= 10 * 2 + 1, `${attempts} attempts in 10 minutes`);
});

test('the first failure is a warn line with its reason, then one a minute at most, and the recovery is logged once', async () => {
  let now = 0;
  const { lines, log } = capture();
  const retry = createConnectRetry({ log, what: { link: 'eth' }, label: 'link eth', now: () => now, random: () => 0.5 });
  for (let i = 0; i < 40; i++) { retry.failed(authRefused()); now += 5000; }
  retry.succeeded();
  await flush();
  const warns = lines.filter((l) => l.level === 40);
  assert.equal(warns.length, 4, `warn lines over 200 s of failures: ${warns.map((w) => w.msg).join(' | ')}`);
  assert.equal(warns[0].msg, 'link eth cannot reach the broker');
  assert.equal(warns[0].code, 'PROBE_REFUSED');
  assert.equal(warns[0].link, 'eth');
  assert.match(warns[0].reason, /bad username or password/);
  assert.match(warns[1].msg, /still cannot reach/);
  assert.equal(warns[1].attempts, 13);
  const info = lines.filter((l) => l.level === 30);
  assert.equal(info.length, 1);
  assert.match(info[0].msg, /reaches the broker again/);
  assert.equal(info[0].attempts, 40);
  assert.equal(retry.failure(), null);
  assert.equal(retry.lastFailure()?.code, 'PROBE_REFUSED');
});

test('failures are named: refused login, nothing listening, TLS, DNS', () => {
  assert.equal(classifyFailure(Object.assign(new Error('Connection refused: Not authorized'), { code: 5 })).code, 'AUTH_REFUSED');
  assert.equal(classifyFailure(Object.assign(new Error('x'), { code: 135 })).kind, 'auth');
  assert.equal(classifyFailure(Object.assign(new Error('x'), { code: 3 })).kind, 'refused');
  assert.match(classifyFailure(refused()).message, /nothing listens there/);
  assert.equal(classifyFailure(Object.assign(new Error('unable to verify the first certificate'), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' })).kind, 'tls');
  assert.equal(classifyFailure(Object.assign(new Error("Hostname/IP does not match certificate's altnames"), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' })).kind, 'tls');
  const dns = classifyFailure(Object.assign(new Error('getaddrinfo ENOTFOUND master.example'), { code: 'ENOTFOUND' }));
  assert.equal(dns.kind, 'dns');
  assert.match(dns.message, /DNS/);
});

test('why the box is not connected: a broker that refused beats a link that is down, however recent the down link', () => {
  type F = { kind: FailureKind; at: number; code: string; link: string };
  const refused: F = { kind: 'auth', at: 1_000, code: 'PROBE_REFUSED', link: 'eth' };
  const modemGone: F = { kind: 'unreachable', at: 9_000, code: 'LINK_DOWN', link: '4g' };
  assert.equal(moreTelling(modemGone, refused), refused);
  assert.equal(moreTelling(refused, modemGone), refused);
  // between equals the newer; one alone is itself
  const later: F = { ...refused, at: 2_000, code: 'ECONNREFUSED', kind: 'refused' };
  assert.equal(moreTelling(refused, later), later);
  assert.equal(moreTelling(null, modemGone), modemGone);
  assert.equal(moreTelling(null, null), null);
});
