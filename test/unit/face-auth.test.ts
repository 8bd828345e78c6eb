import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { tempDir } from '../helpers/tmp.js';
import { createRootStore, sublevel } from '../../daemon/store.js';
import { createLockout } from '../../plugins/faceauth/auth/lockout.js';
import { createOtpIssuer } from '../../plugins/faceauth/auth/otp.js';
import { createCredentialStore, hashPassword, verifyPassword } from '../../plugins/faceauth/auth/passwords.js';
import { createFileIdentityProvider, validIdNumber } from '../../plugins/faceauth/auth/identity-provider.js';

test('lockout: N failures inside the window lock the key for lockMs; success resets', () => {
  let now = 0;
  const l = createLockout({ maxFailures: 3, windowMs: 1000, lockMs: 5000 }, () => now);
  assert.equal(l.fail('a'), 0); now = 100; assert.equal(l.fail('a'), 0);
  assert.equal(l.lockedFor('a'), 0);
  now = 200; assert.equal(l.fail('a'), 5000);
  assert.equal(l.lockedFor('a'), 5000);
  assert.equal(l.lockedFor('b'), 0, 'keys are independent');
  now = 5300; assert.equal(l.lockedFor('a'), 0);
  // failures spread wider than the window do not lock
  l.fail('c'); now += 1500; l.fail('c'); now += 1500; assert.equal(l.fail('c'), 0);
  l.fail('d'); l.fail('d'); l.succeed('d'); assert.equal(l.fail('d'), 0);
});

test('one-time codes: six digits, single use, expire, three guesses at most', () => {
  let now = 0;
  const otp = createOtpIssuer(60_000, () => now);
  const c = otp.issue('alice');
  assert.match(c, /^\d{6}$/);
  assert.equal(otp.verify('alice', c), true);
  assert.equal(otp.verify('alice', c), false, 'single use');
  const c2 = otp.issue('alice');
  const wrong = c2 === '000000' ? '000001' : '000000';
  assert.equal(otp.verify('alice', wrong), false);
  assert.equal(otp.verify('alice', wrong), false);
  assert.equal(otp.verify('alice', wrong), false);
  assert.equal(otp.verify('alice', c2), false, 'locked after three guesses');
  const c3 = otp.issue('bob');
  now = 60_001;
  assert.equal(otp.verify('bob', c3), false, 'expired');
});

test('passwords are scrypt hashes; the stored record holds no clear text', async (t) => {
  const rec = await hashPassword('correct horse');
  assert.ok(!JSON.stringify(rec).includes('correct horse'));
  assert.equal(await verifyPassword('correct horse', rec), true);
  assert.equal(await verifyPassword('correct horsf', rec), false);
  const dir = await tempDir(t);
  const root = createRootStore(join(dir, 'db'));
  t.after(() => root.close());
  const creds = createCredentialStore(sublevel(root, 'x'));
  await creds.setPassword('alice', 'pa55word');
  assert.equal(await creds.checkPassword('alice', 'pa55word'), true);
  assert.equal(await creds.checkPassword('alice', 'nope123'), false);
  assert.equal(await creds.checkPassword('nobody', 'pa55word'), false);
  await assert.rejects(creds.setPassword('alice', '123'), { code: 'FACE_PASSWORD_WEAK' });
  await creds.delete('alice');
  assert.equal(await creds.hasPassword('alice'), false);
});

test('resident ID numbers are checked with the GB 11643 check digit', () => {
  assert.equal(validIdNumber('11010519491231002X'), true);
  assert.equal(validIdNumber('110105194912310021'), false);
  assert.equal(validIdNumber('440524188001010014'), true);
  assert.equal(validIdNumber('E12345678'), true, 'passport-like numbers pass to the operator');
  assert.equal(validIdNumber('12'), false);
});

test('the file identity provider confirms account + ID (+ name) and maps ID numbers to accounts', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'ids.json');
  await writeFile(file, JSON.stringify({ accounts: [{ account: 'alice', idNumber: '11010519491231002X', name: '张三', phone: '13800138000' }] }));
  const sent: string[] = [];
  const p = createFileIdentityProvider(file, (to, code) => sent.push(`${to}:${code}`));
  assert.deepEqual(await p.verifyRegistration({ account: 'alice', idNumber: '11010519491231002x', name: '张三' }), { ok: true });
  assert.deepEqual(await p.verifyRegistration({ account: 'alice', idNumber: '440524188001010014' }), { ok: false, reason: 'ID_MISMATCH' });
  assert.deepEqual(await p.verifyRegistration({ account: 'alice', idNumber: '11010519491231002X', name: '李四' }), { ok: false, reason: 'NAME_MISMATCH' });
  assert.deepEqual(await p.verifyRegistration({ account: 'bob', idNumber: '11010519491231002X' }), { ok: false, reason: 'UNKNOWN_ACCOUNT' });
  assert.deepEqual(await p.verifyRegistration({ account: 'alice', idNumber: '110105194912310021' }), { ok: false, reason: 'ID_INVALID' });
  assert.equal(await p.accountForIdNumber('11010519491231002X'), 'alice');
  assert.deepEqual(await p.sendCode('alice', '123456'), { channel: 'sms', to: '138****8000' });
  assert.deepEqual(sent, ['13800138000:123456']);
  await assert.rejects(createFileIdentityProvider(join(dir, 'missing.json')).accountForIdNumber('x'), { code: 'FACE_IDENTITY_UNAVAILABLE' });
});
