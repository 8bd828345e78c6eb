// faceauth under the real plugin host and HTTP server: registration authentication, enrollment, login
// (face AND identity, liveness), lockout, archive events, 1:N proposal, deletion and erase.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { faceRig, IDENTITIES } from '../helpers/face-rig.js';
import { cameraFrame, flipped } from '../helpers/face-frames.js';

const P = fileURLToPath(new URL('../fixtures/faces/persons/', import.meta.url));
const jpeg = async (p: string, flip = false) => {
  const b = new Uint8Array(readFileSync(P + p));
  return (await cameraFrame(flip ? new Uint8Array(await flipped(b)) : b)).toString('base64');
};
/** frames of a real right turn (stuart1 → 3 → 5); mirrored, the same person turning left */
const turn = async (kind: string) => Promise.all(['stuart/stuart1.png', 'stuart/stuart1.png', 'stuart/stuart3.png', 'stuart/stuart5.png'].map((p) => jpeg(p, kind === 'turn-left')));
const alice = IDENTITIES[0];

test('enroll with registration authentication, then log in with face + password + head turn', async (t) => {
  const r = await faceRig(t);
  const enrollFrames = await Promise.all(['stuart/stuart1.png', 'stuart/stuart2.png', 'stuart/stuart4.png'].map((p) => jpeg(p)));

  const refused = await r.post('/api/enroll', { account: 'alice', idNumber: IDENTITIES[1].idNumber, frames: enrollFrames });
  assert.equal(refused.status, 400);
  assert.equal(refused.body.error.code, 'FACE_REGISTRATION_REFUSED');

  const q = await r.post('/api/quality', { image: await jpeg('stuart/stuart5.png') });
  assert.equal(q.body.ok, false);
  assert.equal(q.body.issues[0].code, 'NOT_FRONTAL');
  assert.equal(q.body.issues[0].zh, '请正对摄像头，不要侧脸');

  const enrolled = await r.post('/api/enroll', { account: 'alice', idNumber: alice.idNumber, name: alice.name, password: 'secret-77', frames: enrollFrames });
  assert.equal(enrolled.status, 200, JSON.stringify(enrolled.body));
  assert.equal(enrolled.body.frames, 3);
  assert.ok(r.events.some((e) => e.event === 'faceauth.enrolled'));

  const dup = await r.post('/api/enroll', { account: 'bob', idNumber: IDENTITIES[1].idNumber, frames: enrollFrames });
  assert.equal(dup.body.error.code, 'FACE_ALREADY_ENROLLED');

  const ch = await r.post('/api/challenge', {});
  assert.ok(['turn-left', 'turn-right'].includes(ch.body.kind));
  const ok = await r.post('/api/login', { account: 'alice', password: 'secret-77', challengeId: ch.body.id, frames: await turn(ch.body.kind) });
  assert.equal(ok.body.ok, true, JSON.stringify(ok.body));
  assert.ok(ok.body.score >= ok.body.threshold);
  assert.equal(ok.body.liveness.passed, true);
  const rec = r.events.filter((e) => e.event === 'archive.record').map((e) => e.payload as { customerId: string; kind: string; data: Record<string, unknown> });
  assert.deepEqual(rec.at(-1)!.data.outcome, 'success');
  assert.equal(rec.at(-1)!.customerId, 'alice');

  // the challenge is single use
  const replay = await r.post('/api/login', { account: 'alice', password: 'secret-77', challengeId: ch.body.id, frames: await turn(ch.body.kind) });
  assert.equal(replay.body.reason, 'LIVENESS_REQUIRED');

  // a still image cannot pass the challenge
  const ch2 = await r.post('/api/challenge', {});
  const still = await jpeg('stuart/stuart1.png');
  const stillRes = await r.post('/api/login', { account: 'alice', password: 'secret-77', challengeId: ch2.body.id, frames: [still, still, still, still] });
  assert.equal(stillRes.body.reason, 'LIVENESS_FAILED');
  assert.equal(stillRes.body.liveness.reason, 'NO_TURN');

  // someone else's face with alice's password
  const ch3 = await r.post('/api/challenge', {});
  const other = await r.post('/api/login', { account: 'alice', password: 'secret-77', challengeId: ch3.body.id, frames: await Promise.all(['leonard/leonard2.png', 'leonard/leonard3.png'].map((p) => jpeg(p))) });
  assert.equal(other.body.reason, 'FACE_MISMATCH');
  assert.ok(other.body.score < other.body.threshold);

  // 1:N proposes the account from the face
  const who = await r.post('/api/identify', { image: await jpeg('stuart/stuart3.png') });
  assert.equal(who.body.candidates[0].account, 'alice');
  const nobody = await r.post('/api/identify', { image: await jpeg('penny/penny1.png') });
  assert.deepEqual(nobody.body.candidates, []);
});

test('wrong passwords lock the account; ID number + one-time code works; delete and erase remove the face', async (t) => {
  const r = await faceRig(t);
  const frames = await Promise.all(['stuart/stuart1.png', 'stuart/stuart2.png', 'stuart/stuart4.png'].map((p) => jpeg(p)));
  assert.equal((await r.post('/api/enroll', { account: 'alice', idNumber: alice.idNumber, password: 'secret-77', frames })).status, 200);

  for (let i = 0; i < 3; i++) {
    const bad = await r.post('/api/login', { account: 'alice', password: 'wrong-pass', frames: [frames[0]] });
    assert.equal(bad.body.reason, 'IDENTITY_FAILED');
  }
  const locked = await r.post('/api/login', { account: 'alice', password: 'secret-77', frames: [frames[0]] });
  assert.equal(locked.body.reason, 'ACCOUNT_LOCKED');
  assert.ok(locked.body.lockedForMs > 0);
  const failures = r.events.filter((e) => e.event === 'archive.record' && (e.payload as { data: { outcome: string } }).data.outcome === 'failure');
  assert.equal(failures.length, 4, 'every attempt is an archive event');

  // the terminal (its address) has its own budget; renaming itself in the header does not reset it
  const t2 = await faceRig(t, { lockout: { maxFailures: 10, windowMs: 60_000, lockMs: 60_000, terminalMaxFailures: 2 } });
  for (let i = 0; i < 2; i++) await t2.post('/api/login', { account: `x${i}`, password: 'nope-nope', frames: [frames[0]] }, 'kiosk-9');
  assert.equal((await t2.post('/api/login', { account: 'x', password: 'nope-nope', frames: [frames[0]] }, 'kiosk-9')).body.reason, 'TERMINAL_LOCKED');
  assert.equal((await t2.post('/api/login', { account: 'x', password: 'nope-nope', frames: [frames[0]] }, 'kiosk-8')).body.reason, 'TERMINAL_LOCKED');
  assert.ok((await t2.post('/api/identify', { image: frames[0] })).body.lockedForMs > 0, 'a locked terminal cannot probe 1:N either');
  const malformed = await t2.post('/api/login', { account: 'x', frames: [] });
  assert.equal(malformed.status, 400);
  assert.equal(malformed.body.error.code, 'FACE_BAD_REQUEST');
  assert.equal(t2.commands.has('faceauth.export'), false, 'no template export unless configured');

  // bob logs in with ID number + code (no password): enroll bob with another face first
  const bobFrames = await Promise.all(['raj/raj1.png', 'raj/raj4.png', 'raj/raj2.png'].map((p) => jpeg(p)));
  assert.equal((await r.post('/api/enroll', { account: 'bob', idNumber: IDENTITIES[1].idNumber, frames: bobFrames })).status, 200);
  const code = await r.post('/api/otp', { idNumber: IDENTITIES[1].idNumber });
  assert.match(code.body.code, /^\d{6}$/);
  assert.equal(code.body.to, '139****9000');
  const noLive = await r.post('/api/login', { idNumber: IDENTITIES[1].idNumber, code: code.body.code, frames: bobFrames });
  assert.equal(noLive.body.reason, 'LIVENESS_REQUIRED');
  const code2 = await r.post('/api/otp', { idNumber: IDENTITIES[1].idNumber });
  const wrongCode = await r.post('/api/login', { idNumber: IDENTITIES[1].idNumber, code: code2.body.code === '000000' ? '111111' : '000000', frames: bobFrames });
  assert.equal(wrongCode.body.reason, 'IDENTITY_FAILED');
  assert.equal(wrongCode.body.account, 'bob');

  // delete by command, erase by the archive's bus event
  assert.deepEqual(await r.commands.get('faceauth.delete')!({ account: 'alice' }), { account: 'alice', deleted: true });
  assert.deepEqual(await r.commands.get('faceauth.accounts')!({}), { accounts: ['bob'] });
  r.bus.emit('archive.erase', { customerId: 'bob' });
  for (let i = 0; i < 100 && !r.events.some((e) => e.event === 'faceauth.deleted' && (e.payload as { account: string }).account === 'bob'); i++) await sleep(20);
  assert.deepEqual(await r.commands.get('faceauth.accounts')!({}), { accounts: [] });
  const who = await r.post('/api/identify', { image: bobFrames[0] });
  assert.deepEqual(who.body.candidates, [], 'erased faces leave the 1:N gallery too');
  // nothing but sealed records remain in the plugin's sublevel
  for await (const [k] of r.store.iterator()) assert.ok(!String(k).includes('tpl:'), `left behind: ${k}`);
});
