// Enrollment: identity form → live guidance from /api/quality → several good frames → /api/enroll.
import { initI18n, t } from '/_common/i18n.js';
import { grabFrame, postJson, sleep, startCamera } from './camera.js';

const FRAMES = 5;
initI18n({
  zh: { title: '人脸采集 · 注册认证', guideStart: '请填写资料后开始采集', step1: '1 核验身份', step2: '2 采集人脸', step3: '3 完成', account: '账号', idNumber: '证件号码', name: '姓名（选填）', password: '设置登录密码（选填，至少 6 位）', start: '开始采集', privacy: '人脸特征加密保存在本大厅服务器，不上传；照片在采集完成后即删除。', hold: '很好，请保持不动', captured: '已采集 {n}/{total} 张', saving: '正在保存…', done: '采集完成，人脸已登记', failed: '采集失败：{msg}', noCamera: '无法打开摄像头', retry: '重新采集', failedShort: '采集未完成',
    ID_INVALID: '证件号码有误，请核对（18 位身份证号，末位可能是 X）', UNKNOWN_ACCOUNT: '没有找到这个账号，请核对账号；仍不行请到窗口咨询', ID_MISMATCH: '证件号码与该账号登记的不一致，请核对后重试',
    NAME_MISMATCH: '姓名与登记的不一致：请核对，或不填姓名', FACE_ENROLL_QUALITY: '画面不够清晰：请正对摄像头、光线充足，再试一次', FACE_ENROLL_INCONSISTENT: '采集中画面里的人不一致：请一人正对摄像头，再试一次',
    FACE_ALREADY_ENROLLED: '这张脸已登记在另一个账号下；如需更改，请到窗口办理', NO_CAMERA: '无法打开摄像头：请允许本页使用摄像头，或请工作人员检查设备', other: '采集失败，请重试；仍不行请联系工作人员（{code}）' },
  en: { title: 'Face capture · registration', guideStart: 'Fill in your details, then start', step1: '1 Identity', step2: '2 Face', step3: '3 Done', account: 'Account', idNumber: 'ID number', name: 'Name (optional)', password: 'Login password (optional, 6+ characters)', start: 'Start capture', privacy: 'Face data is stored encrypted on this hall\'s server and never uploaded; photos are deleted after capture.', hold: 'Good, hold still', captured: 'Captured {n}/{total}', saving: 'Saving…', done: 'Done: your face is registered', failed: 'Capture failed: {msg}', noCamera: 'Cannot open the camera', retry: 'Try again', failedShort: 'Not registered',
    ID_INVALID: 'The ID number is not valid: check it (18 characters, the last may be X)', UNKNOWN_ACCOUNT: 'No such account: check it, or ask at a counter', ID_MISMATCH: 'The ID number does not match this account: check both and try again',
    NAME_MISMATCH: 'The name does not match our records: check it, or leave it empty', FACE_ENROLL_QUALITY: 'The picture was not clear enough: face the camera in good light and try again', FACE_ENROLL_INCONSISTENT: 'More than one person was seen: one person, facing the camera, please try again',
    FACE_ALREADY_ENROLLED: 'This face is registered to another account; ask at a counter to change it', NO_CAMERA: 'Cannot open the camera: allow this page to use it, or ask staff to check the device', other: 'Registration failed, please try again; if it keeps failing ask staff ({code})' },
});

const $ = (id) => document.getElementById(id);
const video = $('video'), guide = $('guide'), sub = $('sub'), oval = $('oval'), bar = $('bar'), result = $('result');
const lang = () => (document.documentElement.lang === 'en' ? 'en' : 'zh');
const say = (text, cls = '') => { guide.textContent = text; guide.className = `guide ${cls}`; };

/** The ID number's own checksum (mainland resident ID: 17 digits + check digit; other documents: 6–20 letters or digits). */
function plausibleIdNumber(id) {
  const s = id.trim().toUpperCase();
  if (/^\d{17}[\dX]$/.test(s)) {
    const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    return '10X98765432'[w.reduce((a, wi, i) => a + wi * Number(s[i]), 0) % 11] === s[17];
  }
  return /^[A-Z0-9]{6,20}$/.test(s) && !/^\d{18}$/.test(s);
}

/** what went wrong, in the page's language, with what to do: the server's reason or code, else the camera's */
function explain(err) {
  const camera = ['NO_CAMERA', 'NotAllowedError', 'NotFoundError', 'NotReadableError', 'OverconstrainedError'];
  const key = err.details?.reason ?? (camera.includes(err.code ?? err.name) ? 'NO_CAMERA' : err.code);
  return key && t(key) !== key ? t(key) : t('other', { code: err.code ?? err.name ?? '?' });
}
const IDENTITY_REASONS = ['ID_INVALID', 'UNKNOWN_ACCOUNT', 'ID_MISMATCH', 'NAME_MISMATCH'];

function refuse(text) { say(t('failedShort'), 'err'); result.textContent = text; result.className = 'result bad'; }

$('form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const data = Object.fromEntries(new FormData(ev.target).entries());
  for (const k of ['name', 'password']) if (!data[k]) delete data[k];
  // a mistyped ID number is found before the customer stands through the whole capture
  if (!plausibleIdNumber(data.idNumber)) {
    refuse(t('ID_INVALID'));
    ev.target.elements.idNumber.setAttribute('aria-invalid', 'true'); ev.target.elements.idNumber.focus();
    return;
  }
  ev.target.elements.idNumber.removeAttribute('aria-invalid');
  $('start').disabled = true; result.className = 'result hidden'; $('snap').classList.add('hidden');
  $('s1').className = 'done'; $('s2').className = 'active';
  let stop = () => {};
  // on a phone the form comes first: bring the camera stage into view for the capture
  $('video').closest('.card').scrollIntoView({ behavior: 'smooth', block: 'start' });
  try {
    await postJson('api/enroll/check', { account: data.account, idNumber: data.idNumber, ...(data.name ? { name: data.name } : {}) });
    stop = await startCamera(video);
    const frames = [];
    while (frames.length < FRAMES) {
      const frame = grabFrame(video);
      const q = await postJson('api/quality', { image: frame });
      if (q.ok) {
        frames.push(frame);
        oval.className = 'oval ok'; say(t('hold'), 'ok');
        sub.textContent = t('captured', { n: frames.length, total: FRAMES });
        bar.style.width = `${(frames.length / FRAMES) * 100}%`;
        await sleep(250);
      } else {
        oval.className = 'oval bad'; say(q.issues[0][lang()], 'bad');
        await sleep(400);
      }
    }
    say(t('saving'));
    const r = await postJson('api/enroll', { ...data, frames });
    $('s2').className = 'done'; $('s3').className = 'done';
    // the camera goes off: keep the last captured frame on the stage
    $('snap').src = frames[frames.length - 1]; $('snap').classList.remove('hidden');
    say(t('done'), 'ok');
    result.textContent = `${t('done')} (${r.account})`; result.className = 'result ok';
  } catch (err) {
    refuse(explain(err));
    // "captured 5/5" and a full bar beside a refusal read as half a success
    sub.textContent = ''; bar.style.width = '0'; oval.className = 'oval';
    // the records refused the identity: back to step 1, the face was fine
    const identity = IDENTITY_REASONS.includes(err.details?.reason);
    $('s1').className = identity ? 'active' : 'done'; $('s2').className = identity ? '' : 'active';
  } finally {
    stop(); $('start').disabled = false; $('start').textContent = t('retry');
  }
});
