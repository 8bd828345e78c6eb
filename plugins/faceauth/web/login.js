// Login: identity (password, or ID number + one-time code) → face → liveness challenge → /api/login.
import { initI18n, onLangChange, t } from '/_common/i18n.js';
import { grabFrame, postJson, sleep, startCamera } from './camera.js';

const REASONS = {
  zh: { IDENTITY_FAILED: '账号或密码（验证码）不正确', IDENTITY_REQUIRED: '请输入密码或验证码', FACE_MISMATCH: '人脸与账号不一致', NO_FACE: '未检测到人脸', NOT_ENROLLED: '该账号尚未采集人脸', LIVENESS_FAILED: '活体检测未通过，请按提示转头', LIVENESS_REQUIRED: '需要完成活体检测', ACCOUNT_LOCKED: '失败次数过多，账号已临时锁定', TERMINAL_LOCKED: '本终端失败次数过多，请稍后再试', ACCOUNT_UNKNOWN: '证件号码未登记', SPOOF_SUSPECTED: '疑似翻拍或照片，请本人操作' },
  en: { IDENTITY_FAILED: 'Wrong account, password or code', IDENTITY_REQUIRED: 'Enter a password or a code', FACE_MISMATCH: 'The face does not match the account', NO_FACE: 'No face found', NOT_ENROLLED: 'This account has no face registered', LIVENESS_FAILED: 'Liveness check failed: turn your head as shown', LIVENESS_REQUIRED: 'The liveness check is required', ACCOUNT_LOCKED: 'Too many failures: the account is locked for a while', TERMINAL_LOCKED: 'Too many failures on this terminal: try again later', ACCOUNT_UNKNOWN: 'This ID number is not registered', SPOOF_SUSPECTED: 'Looks like a photo or a screen: please log in in person' },
};
initI18n({
  zh: { title: '刷脸登录', guideStart: '请先输入账号和密码', guideStartOtp: '请先输入证件号码和验证码', step1: '1 身份', step2: '2 人脸', step3: '3 活体', byPassword: '账号 + 密码', byCode: '证件号 + 验证码', account: '账号', identify: '刷脸识别账号', password: '密码', idNumber: '证件号码', sendCode: '获取验证码', code: '验证码', login: '下一步：刷脸', lookStraight: '请正对摄像头', turn_left: '请慢慢向左转头', turn_right: '请慢慢向右转头', checking: '正在核验…', ok: '登录成功，欢迎 {account}', fail: '登录失败：{reason}', codeSent: '验证码已发送 {to}', proposed: '识别到账号：{account}', notFound: '未识别到已登记的人脸', demoCode: '演示验证码（仅演示模式显示）：', demoTitle: '演示账号', demoNote: '先在“人脸采集”页登记人脸，再选“证件号 + 验证码”登录：验证码在演示模式下直接显示在本页。', demoEnroll: '去人脸采集 →', demoAccount: '{account} · 证件号 {idNumber}', demoEnrolled: '（已登记人脸）', demoNotEnrolled: '（未登记人脸）', findFace: '请正对摄像头，把脸放进椭圆框', noFaceTimeout: '未检测到人脸' },
  en: { title: 'Face login', guideStart: 'Enter your account and password first', guideStartOtp: 'Enter your ID number and the code first', step1: '1 Identity', step2: '2 Face', step3: '3 Liveness', byPassword: 'Account + password', byCode: 'ID number + code', account: 'Account', identify: 'Find my account by face', password: 'Password', idNumber: 'ID number', sendCode: 'Send code', code: 'Code', login: 'Next: face', lookStraight: 'Look straight at the camera', turn_left: 'Slowly turn your head to the left', turn_right: 'Slowly turn your head to the right', checking: 'Checking…', ok: 'Welcome, {account}', fail: 'Login failed: {reason}', codeSent: 'Code sent to {to}', proposed: 'Account found: {account}', notFound: 'No registered face found', demoCode: 'Demo code (shown in demo mode only):', demoTitle: 'Demo accounts', demoNote: 'Register a face on the face capture page first, then log in with “ID number + code”: in demo mode the one-time code is shown on this page.', demoEnroll: 'Go to face capture →', demoAccount: '{account} · ID number {idNumber}', demoEnrolled: ' (face registered)', demoNotEnrolled: ' (no face yet)', findFace: 'Look at the camera: put your face in the oval', noFaceTimeout: 'No face found' },
});

const $ = (id) => document.getElementById(id);
const video = $('video'), guide = $('guide'), sub = $('sub'), oval = $('oval'), bar = $('bar'), result = $('result');
const lang = () => (document.documentElement.lang === 'en' ? 'en' : 'zh');
const say = (text, cls = '') => { guide.textContent = text; guide.className = `guide ${cls}`; };
const show = (text, ok) => { result.textContent = text; result.className = `result ${ok ? 'ok' : 'bad'}`; };
let mode = 'password';
let stopCamera = null;
const camera = async () => { stopCamera ??= await startCamera(video); };

function setMode(m) {
  mode = m;
  $('tabPw').setAttribute('aria-selected', String(m === 'password')); $('tabOtp').setAttribute('aria-selected', String(m === 'otp'));
  $('pwFields').classList.toggle('hidden', m !== 'password'); $('otpFields').classList.toggle('hidden', m !== 'otp');
  guide.dataset.i18n = m === 'password' ? 'guideStart' : 'guideStartOtp'; guide.textContent = t(guide.dataset.i18n);
}
$('tabPw').onclick = () => setMode('password');
$('tabOtp').onclick = () => setMode('otp');

// demo mode only: the server echoes the code (never in production), and lists the demo ID numbers
let demoCode = null;
const showDemoCode = () => {
  const el = $('demoCode');
  el.classList.toggle('hidden', !demoCode);
  if (demoCode) { el.textContent = t('demoCode'); const b = document.createElement('b'); b.textContent = demoCode; el.appendChild(b); }
};
$('sendCode').onclick = async () => {
  try {
    const r = await postJson('api/otp', { idNumber: $('form').idNumber.value });
    sub.textContent = t('codeSent', { to: r.to ?? '' });
    demoCode = typeof r.code === 'string' ? r.code : null; showDemoCode();
  } catch (err) { show(err.message, false); }
};
let demo = null;
function showDemo() {
  if (!demo?.demo) return;
  const list = $('demoList'); list.replaceChildren();
  for (const a of demo.accounts) {
    const li = document.createElement('li'); const code = document.createElement('code');
    const [before, after] = t('demoAccount', { account: a.account, idNumber: '\u0000' }).split('\u0000');
    code.textContent = a.idNumber;
    li.append(before, code, after + t(a.enrolled ? 'demoEnrolled' : 'demoNotEnrolled'));
    list.appendChild(li);
  }
  $('demoHint').classList.remove('hidden');
}
fetch('api/demo').then((r) => (r.ok ? r.json() : null)).then((d) => { demo = d; showDemo(); }).catch(() => undefined);
onLangChange(() => { showDemo(); showDemoCode(); });

$('identify').onclick = async () => {
  try {
    await camera();
    const r = await postJson('api/identify', { image: grabFrame(video) });
    if (r.candidates[0]) { $('account').value = r.candidates[0].account; sub.textContent = t('proposed', { account: r.candidates[0].account }); } else sub.textContent = t('notFound');
  } catch (err) { show(err.message, false); }
};

const step = (id, cls) => { $(id).className = cls; };
const FACE_REASONS = new Set(['NO_FACE', 'FACE_MISMATCH', 'NOT_ENROLLED']);
const LIVENESS_REASONS = new Set(['LIVENESS_FAILED', 'LIVENESS_REQUIRED', 'SPOOF_SUSPECTED']);
const progress = (n) => { bar.style.width = `${(n / 14) * 100}%`; };

/** The face step passes only when the camera shows a face (up to ~15 s of guidance). */
async function findFace() {
  say(t('findFace'));
  for (const until = Date.now() + 15_000; Date.now() < until;) {
    const q = await postJson('api/quality', { image: grabFrame(video, 0.8) });
    if (q.face) return true;
    oval.className = 'oval bad'; if (q.issues?.[0]) sub.textContent = q.issues[0][lang()] ?? '';
    await sleep(400);
  }
  return false;
}

function finish(r) {
  const reason = REASONS[lang()][r.reason] ?? r.reason;
  if (r.ok) { step('s3', 'done'); say(t('ok', { account: r.account }), 'ok'); show(t('ok', { account: r.account }), true); }
  else {
    say(t('fail', { reason }), 'err'); show(t('fail', { reason }), false); document.body.dataset.reason = r.reason;
    // the step the refusal belongs to turns red; later steps stay undone
    const failed = FACE_REASONS.has(r.reason) ? 's2' : LIVENESS_REASONS.has(r.reason) ? 's3' : 's1';
    step(failed, 'failed');
    if (failed === 's2') step('s3', '');
  }
  document.body.dataset.outcome = r.ok ? 'ok' : 'fail';
}

$('form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const f = ev.target;
  const body = mode === 'password' ? { account: f.account.value, password: f.password.value } : { idNumber: f.idNumber.value, code: f.code.value };
  $('go').disabled = true; result.className = 'result hidden'; sub.textContent = ''; progress(0);
  delete document.body.dataset.outcome; delete document.body.dataset.reason;
  step('s1', 'active'); step('s2', ''); step('s3', '');
  try {
    // 1 identity: the password or the code is checked before the camera is used at all
    const challenge = await postJson('api/challenge', body);
    if (!challenge.id) { finish(challenge); return; }
    step('s1', 'done'); step('s2', 'active');
    // 2 face: a face must be in front of the camera (on a phone the form is first: bring the stage into view)
    video.closest('.card').scrollIntoView({ behavior: 'smooth', block: 'start' });
    await camera();
    if (!(await findFace())) { finish({ ok: false, reason: 'NO_FACE' }); return; }
    sub.textContent = '';
    const frames = [];
    say(t('lookStraight')); oval.className = 'oval ok';
    for (let i = 0; i < 3; i++) { frames.push(grabFrame(video, 0.8)); progress(frames.length); await sleep(250); }
    step('s2', 'done'); step('s3', 'active');
    // 3 liveness: the head turn the server asked for
    say(t(challenge.kind.replace('-', '_'))); $(challenge.kind === 'turn-left' ? 'arrowLeft' : 'arrowRight').style.display = 'block';
    for (let i = 0; i < 11; i++) { await sleep(250); frames.push(grabFrame(video, 0.8)); progress(frames.length); }
    $('arrowLeft').style.display = 'none'; $('arrowRight').style.display = 'none';
    say(t('checking'));
    // identity went with the challenge; the code is single use and is not sent again
    const { code: _code, password: _pw, ...claim } = body;
    finish(await postJson('api/login', { ...claim, challengeId: challenge.id, frames }));
  } catch (err) {
    say(t('fail', { reason: err.message }), 'err'); show(t('fail', { reason: err.message }), false);
    document.body.dataset.outcome = 'error';
  } finally { $('go').disabled = false; oval.className = 'oval'; $('arrowLeft').style.display = 'none'; $('arrowRight').style.display = 'none'; }
});
