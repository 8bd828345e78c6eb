// Shared by the master's pages: dictionaries, the API token, small DOM and time helpers.
import { t } from '/_common/i18n.js';

export const zh = {
  title: '主控中心', connecting: '连接中…', live: '实时', offline: '已断开', tokenPrompt: '访问令牌', open: '打开', tokenNeeded: '需要令牌',
  tokenTitle: '需要访问令牌', tokenWhy: '主控中心的数据只给持有访问令牌的人看。', tokenHow1: '最简单：打开 kefu up 启动时打印的网址（末尾带 #token=…）。', tokenHow2: '或者把主控数据目录中令牌文件的内容粘贴到下面：', tokenWrong: '令牌不对，请重新输入。', tokenDefaultPath: '（默认位置）',
  kpiOnline: '在线网点', kpiRate: '事件 / 秒（近 10 秒）', kpiEvents: '已接收事件', kpiRejected: '拒收 / 重复',
  chartTitle: '事件速率（近 2 分钟）', boxesTitle: '网点服务器', eventsTitle: '最新事件',
  colId: '编号', colRegion: '区域', colVersion: '版本', colLink: '当前链路', colPlugins: '插件', colSeen: '最后通信',
  empty: '还没有网点。用 kefu master box add 添加。', never: '从未', secondsAgo: '{n} 秒前', minutesAgo: '{n} 分钟前', hoursAgo: '{n} 小时前', daysAgo: '{n} 天前',
  online: '在线', offlineBox: '离线', noLink: '无', lastLink: '上次：{kind}', nr5g: '5G', lte: '4G', wired: '有线', ble: '蓝牙', eventsPerSecond: '事件/秒',
  running: '运行', failed: '故障', stopped: '停止', starting: '启动中', stopping: '停止中',
  allRegions: '全部区域', back: '← 返回总览', boxTitle: '网点详情', connectedSince: '本次连接', cfgVersion: '已应用配置版本', status: '状态', transport: '链路',
  telemetryTitle: '遥测（最新值）', colName: '名称', colValue: '数值', colTime: '时间', colEvent: '事件', colSeq: '序号',
  notFound: '没有这个网点。', noData: '暂无数据', noEventsYet: '还没有新事件（网点发来的事件会实时出现在这里）',
  'event.chat.message': '消息', 'event.chat.closed': '会话结束', 'event.chat.handoff': '转人工', 'event.chat.rating': '评价', 'event.chat.followup': '差评回访',
  'event.faceauth.login': '刷脸登录', 'event.faceauth.enroll': '人脸登记',
  'plugin.system': '系统', 'plugin.chat': '对话', 'plugin.video': '视频', 'plugin.faceauth': '人脸认证', 'plugin.archive': '档案', 'plugin.handling': '业务办理', 'plugin.monitoring': '监控',
};
export const en = {
  title: 'Master center', connecting: 'Connecting…', live: 'Live', offline: 'Disconnected', tokenPrompt: 'Access token', open: 'Open', tokenNeeded: 'Token needed',
  tokenTitle: 'Access token needed', tokenWhy: 'The master center shows its data only to holders of the access token.', tokenHow1: 'Easiest: open the address kefu up prints when it starts (it ends in #token=…).', tokenHow2: 'Or paste the contents of the token file in the master\'s data directory here:', tokenWrong: 'That token is wrong; please enter it again.', tokenDefaultPath: '(default location)',
  kpiOnline: 'Boxes online', kpiRate: 'Events / s (last 10 s)', kpiEvents: 'Events received', kpiRejected: 'Rejected / duplicates',
  chartTitle: 'Event rate (last 2 min)', boxesTitle: 'Hall boxes', eventsTitle: 'Latest events',
  colId: 'ID', colRegion: 'Region', colVersion: 'Version', colLink: 'Active link', colPlugins: 'Plugins', colSeen: 'Last seen',
  empty: 'No boxes yet. Add one with kefu master box add.', never: 'never', secondsAgo: '{n} s ago', minutesAgo: '{n} min ago', hoursAgo: '{n} h ago', daysAgo: '{n} d ago',
  online: 'online', offlineBox: 'offline', noLink: 'none', lastLink: 'last: {kind}', nr5g: '5G', lte: '4G', wired: 'Wired', ble: 'Bluetooth', eventsPerSecond: 'events/s',
  running: 'running', failed: 'failed', stopped: 'stopped', starting: 'starting', stopping: 'stopping',
  allRegions: 'All regions', back: '← Back to overview', boxTitle: 'Box details', connectedSince: 'Connected since', cfgVersion: 'Applied config version', status: 'Status', transport: 'Link',
  telemetryTitle: 'Telemetry (latest)', colName: 'Name', colValue: 'Value', colTime: 'Time', colEvent: 'Event', colSeq: 'Seq',
  notFound: 'No such box.', noData: 'No data yet', noEventsYet: 'No new events yet (events from the boxes appear here as they arrive)',
  'event.chat.message': 'message', 'event.chat.closed': 'conversation closed', 'event.chat.handoff': 'handoff to staff', 'event.chat.rating': 'rating', 'event.chat.followup': 'follow-up',
  'event.faceauth.login': 'face login', 'event.faceauth.enroll': 'face enrollment',
  'plugin.system': 'System', 'plugin.chat': 'Chat', 'plugin.video': 'Video', 'plugin.faceauth': 'Face auth', 'plugin.archive': 'Archive', 'plugin.handling': 'Handling', 'plugin.monitoring': 'Monitoring',
};

/** The API token: from `#token=…` once (then removed from the address bar), kept for this browser tab. */
export function token() {
  const m = location.hash.match(/token=([^&]+)/);
  if (m) { sessionStorage.setItem('kefu.master.token', decodeURIComponent(m[1])); history.replaceState(null, '', location.pathname + location.search); }
  return sessionStorage.getItem('kefu.master.token');
}

// a `#token=…` typed into the address bar of an open page changes only the hash: no reload would pick it up
addEventListener('hashchange', () => { if (/token=/.test(location.hash)) { token(); location.reload(); } });

export async function api(path) {
  const res = await fetch(path, { headers: { authorization: `Bearer ${token()}` } });
  if (!res.ok) throw Object.assign(new Error(`HTTP ${res.status}`), { status: res.status });
  return res.json();
}

export function ago(ts, now = Date.now()) {
  if (ts == null) return t('never');
  const s = Math.max(0, Math.round((now - ts) / 1000));
  if (s < 90) return t('secondsAgo', { n: s });
  if (s < 5400) return t('minutesAgo', { n: Math.round(s / 60) });
  if (s < 172800) return t('hoursAgo', { n: Math.round(s / 3600) });
  return t('daysAgo', { n: Math.round(s / 86400) });
}

export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) e.setAttribute(k, v);
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

/** "对话 / 转人工": an event people can read; a type without a label shows as sent */
export function eventName(plugin, type) {
  const key = `event.${plugin}.${type}`;
  const s = t(key);
  return `${pluginName(plugin)} / ${s === key ? type : s}`;
}

export function pluginName(name) {
  const key = `plugin.${name}`;
  const s = t(key);
  return s === key ? name : s;
}
