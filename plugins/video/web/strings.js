// Page text, Chinese first.
export const STRINGS = {
  zh: {
    title: '视频通话', connecting: '正在连接…', connected: '已连接 · {n} 人', 'connected.one': '已连接 · {n} 人', 'connected.away': '{n} 人正在重连', away: '正在重连…', meLabel: '{name}（我）', 'role.customer': '客户', 'role.agent': '坐席', reconnecting: '网络波动，正在重连…', ended: '通话已结束',
    'mic.on': '静音', 'mic.off': '取消静音', 'cam.on': '关闭摄像头', 'cam.off': '打开摄像头', 'qos.show': '质量面板', hangup: '挂断',
    me: '我', 'qos.title': '通话质量', 'qos.empty': '其他人加入后，这里按人显示画面和声音的质量。', time: '时间', participant: '参会人', pick: '点选一行查看曲线',
    'm.videoBitrate': '视频码率', 'm.blur': '清晰度', 'm.freeze': '视频卡顿', 'm.stutter': '音频卡顿', 'm.audioBitrate': '音频码率', 'm.loss': '丢包（修复前→后）', 'm.lossHint': '网络丢包（SFU 统计的重传请求）→ 重传修复后仍丢失的比例',
    'lvl.ok': '良好', 'lvl.warn': '一般', 'lvl.bad': '差', 'lvl.idle': '无数据',
    'chart.rate': '码率 (kbps)', 'chart.q': '清晰度 / 音频卡顿 (%)', layer: '层', error: '错误：{code}',
    'waiting.agent': '正在等待客服加入…', 'waiting.customer': '正在等待客户加入…', 'waiting.other': '正在等待其他人加入…', 'waiting.hint': '请保持此页面打开，对方加入后通话会自动开始。',
  },
  en: {
    title: 'Video call', connecting: 'Connecting…', connected: 'Connected · {n} people', 'connected.one': 'Connected · {n} person', 'connected.away': '{n} reconnecting', away: 'Reconnecting…', meLabel: '{name} (me)', 'role.customer': 'Customer', 'role.agent': 'Agent', reconnecting: 'Network blip, reconnecting…', ended: 'Call ended',
    'mic.on': 'Mute', 'mic.off': 'Unmute', 'cam.on': 'Camera off', 'cam.off': 'Camera on', 'qos.show': 'Quality panel', hangup: 'Hang up',
    me: 'me', 'qos.title': 'Call quality', 'qos.empty': 'Once others join, the quality of each one\'s picture and sound shows here.', time: 'Time', participant: 'Participant', pick: 'Click a row for its charts',
    'm.videoBitrate': 'Video bitrate', 'm.blur': 'Sharpness', 'm.freeze': 'Video freeze', 'm.stutter': 'Audio stutter', 'm.audioBitrate': 'Audio bitrate', 'm.loss': 'Loss (link → after repair)', 'm.lossHint': 'Loss on the link (NACKed packets counted by the SFU) → loss left after NACK/RTX repair',
    'lvl.ok': 'good', 'lvl.warn': 'fair', 'lvl.bad': 'poor', 'lvl.idle': 'no data',
    'chart.rate': 'Bitrate (kbps)', 'chart.q': 'Sharpness / audio stutter (%)', layer: 'layer', error: 'Error: {code}',
    'waiting.agent': 'Waiting for an agent to join…', 'waiting.customer': 'Waiting for the customer to join…', 'waiting.other': 'Waiting for others to join…', 'waiting.hint': 'Keep this page open: the call starts as soon as they join.',
  },
};
