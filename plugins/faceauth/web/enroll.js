// Enrollment: identity form → live guidance from /api/quality → several good frames → /api/enroll.
import { initI18n, t } from '/_common/i18n.js';
import { grabFrame, postJson, sleep, startCamera } from './camera.js';

const FRAMES = 5;
initI18n({
  zh: { title: '人脸采集 · 注册认证', guideStart: '请填写资料后开始采集', step1: '1 核验身份', step2: '2 采集人脸', step3: '3 完成', account: '账号', idNumber: '证件号码', name: '姓名（选填）', password: '设置登录密码（选填，至少 6 位）', start: '开始采集', privacy: '人脸特征加密保存在本大厅服务器，不上传；照片在采集完成后即删除。', hold: '很好，请保持不动', captured: '已采集 {n}/{total} 张', saving: '正在保存…', done: '采集完成，人脸已登记', failed: '采集失败：{msg}', noCamera: '无法打开摄像头', retry: '重新采集' },
  en: { title: 'Face capture · registration', guideStart: 'Fill in your details, then start', step1: '1 Identity', step2: '2 Face', step3: '3 Done', account: 'Account', idNumber: 'ID number', name: 'Name (optional)', password: 'Login password (optional, 6+ characters)', start: 'Start capture', privacy: 'Face data is stored encrypted on this hall\'s server and never uploaded; photos are deleted after capture.', hold: 'Good, hold still', captured: 'Captured {n}/{total}', saving: 'Saving…', done: 'Done: your face is registered', failed: 'Capture failed: {msg}', noCamera: 'Cannot open the camera', retry: 'Try again' },
});

const $ = (id) => document.getElementById(id);
const video = $('video'), guide = $('guide'), sub = $('sub'), oval = $('oval'), bar = $('bar'), result = $('result');
const lang = () => (document.documentElement.lang === 'en' ? 'en' : 'zh');
const say = (text, cls = '') => { guide.textContent = text; guide.className = `guide ${cls}`; };

$('form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const data = Object.fromEntries(new FormData(ev.target).entries());
  for (const k of ['name', 'password']) if (!data[k]) delete data[k];
  $('start').disabled = true; result.className = 'result hidden'; $('snap').classList.add('hidden');
  $('s1').className = 'done'; $('s2').className = 'active';
  let stop = () => {};
  // on a phone the form comes first: bring the camera stage into view for the capture
  $('video').closest('.card').scrollIntoView({ behavior: 'smooth', block: 'start' });
  try {
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
    say(t('failed', { msg: err.code ?? '' }), 'err');
    result.textContent = t('failed', { msg: err.message }); result.className = 'result bad';
    $('s2').className = 'active';
  } finally {
    stop(); $('start').disabled = false; $('start').textContent = t('retry');
  }
});
