// The terminal pages in headless Chromium with a fake camera fed from face images (Y4M clips):
// enrollment with live guidance, then login with password, face and a head-turn challenge.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from '../helpers/browser.js';
import { faceRig, IDENTITIES } from '../helpers/face-rig.js';
import { y4m } from '../helpers/face-frames.js';

const P = fileURLToPath(new URL('../fixtures/faces/persons/', import.meta.url));
const img = (p: string) => new Uint8Array(readFileSync(P + p));
const shots = process.env.KEFU_SCREENSHOTS;

test('enroll page captures good frames from the camera and registers the face', async (t) => {
  const r = await faceRig(t);
  const clip = join(r.dir, 'still.y4m');
  await writeFile(clip, await y4m([img('stuart/stuart1.png')], 5));
  const browser = await launchBrowser({ fakeVideo: clip });
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1200, height: 760 } });
  await page.goto(`${r.url}/p/faceauth/enroll.html`);
  assert.equal(await page.textContent('h1'), '人脸采集 · 注册认证');
  await page.fill('input[name=account]', 'alice');
  // a mistyped ID number (wrong check digit) is refused before the camera starts, in words, with what to do
  await page.fill('input[name=idNumber]', '110105194912310021');
  await page.click('#start');
  await page.waitForSelector('#result.bad', { timeout: 5_000 });
  assert.match(await page.textContent('#result') ?? '', /证件号码有误，请核对/);
  assert.equal(await page.evaluate(() => (document.getElementById('video') as HTMLVideoElement).srcObject), null, 'camera not started');
  // the records refuse another person's ID number before the capture: said in the page's language, not the
  // server's code and English
  await page.fill('input[name=idNumber]', IDENTITIES[1].idNumber);
  await page.click('#start');
  await page.waitForSelector('#result.bad', { timeout: 10_000 });
  assert.equal(await page.evaluate(() => (document.getElementById('video') as HTMLVideoElement).srcObject), null, 'camera not started for a refused identity');
  const refused = `${await page.textContent('#guide')} ${await page.textContent('#result')}`;
  assert.match(refused, /与该账号登记的不一致/);
  assert.doesNotMatch(refused, /[A-Z]{2,}_[A-Z_]+|registration not confirmed/, 'no error code or server English on the page');
  assert.equal(await page.getAttribute('#s1', 'class'), 'active', 'back to step 1: the identity, not the face, was wrong');
  if (shots) await page.screenshot({ path: join(shots, 'face-enroll-refused.png') });
  await page.fill('input[name=idNumber]', IDENTITIES[0].idNumber);
  await page.fill('input[name=password]', 'secret-77');
  await page.click('#start');
  await page.waitForSelector('#result.ok', { timeout: 60_000 });
  assert.match(await page.textContent('#result') ?? '', /采集完成/);
  if (shots) await page.screenshot({ path: join(shots, 'face-enroll.png') });
  assert.deepEqual(await r.commands.get('faceauth.accounts')!({}), { accounts: ['alice'] });
  await page.click('button.lang');
  assert.equal(await page.textContent('h1'), 'Face capture · registration');
});

test('login page: password, then a real head turn passes; a still camera image fails the challenge', async (t) => {
  const r = await faceRig(t, { liveness: { required: true, challenges: ['turn-right'] } });
  const frames = ['stuart/stuart1.png', 'stuart/stuart2.png', 'stuart/stuart4.png'].map((p) => readFileSync(P + p).toString('base64'));
  assert.equal((await r.post('/api/enroll', { account: 'alice', idNumber: IDENTITIES[0].idNumber, password: 'secret-77', frames })).status, 200);

  const login = async (clipFrames: Uint8Array[], fps: number, name: string) => {
    const clip = join(r.dir, `${name}.y4m`);
    await writeFile(clip, await y4m(clipFrames, fps));
    const browser = await launchBrowser({ fakeVideo: clip });
    t.after(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1200, height: 760 } });
    await page.goto(`${r.url}/p/faceauth/login.html`);
    await page.fill('#account', 'alice');
    await page.fill('input[name=password]', 'secret-77');
    await page.click('#go');
    // the challenge shows its direction on the camera stage
    await page.waitForSelector('#arrowRight:visible', { timeout: 30_000 });
    assert.equal(await page.textContent('#guide'), '请慢慢向右转头');
    if (shots) await page.screenshot({ path: join(shots, `face-login-${name}-challenge.png`) });
    await page.waitForSelector('body[data-outcome]', { timeout: 60_000 });
    if (shots) await page.screenshot({ path: join(shots, `face-login-${name}.png`) });
    return { outcome: await page.getAttribute('body', 'data-outcome'), reason: await page.getAttribute('body', 'data-reason'), text: await page.textContent('#result') };
  };
  // a 4 s loop at 2 fps: frontal 1.5 s, turning, turned 1.5 s, turning back — any 3.5 s capture window
  // sees the whole turn, and neighbouring frames are always one step of the movement apart
  const s = ['stuart/stuart1.png', 'stuart/stuart1.png', 'stuart/stuart1.png', 'stuart/stuart3.png', 'stuart/stuart5.png', 'stuart/stuart5.png', 'stuart/stuart5.png', 'stuart/stuart3.png'].map(img);
  // a starved renderer (a loaded CI machine) can grab the clip's frames so late that the capture misses the turn,
  // as a person too slow for the prompt would: like that person, a second try (the still image below must fail at once)
  let turned = await login(s, 2, 'turn');
  if (turned.outcome !== 'ok') {
    t.diagnostic(`first head-turn login failed (${turned.reason}); trying again`);
    turned = await login(s, 2, 'turn-again');
  }
  assert.equal(turned.outcome, 'ok', `${turned.reason} ${turned.text}`);
  assert.match(turned.text ?? '', /登录成功/);
  const still = await login([img('stuart/stuart1.png')], 5, 'still');
  assert.equal(still.outcome, 'fail');
  assert.equal(still.reason, 'LIVENESS_FAILED');
  assert.match(still.text ?? '', /活体检测未通过/);
});
