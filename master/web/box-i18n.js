// Strings of the box detail page (on top of the shared ones in common.js).
export const boxZh = {
  secIdentity: '身份与链路', secSystem: '系统资源', secOutbox: '上行缓存（待发 / 丢失）', secPlugins: '插件', secTrends: '近期趋势', secRaw: '全部遥测原始值（安装人员用）',
  hostname: '主机名', platform: '操作系统', node: 'Node 版本', uptime: '开机时长', daemonUptime: '服务运行时长', linkId: '链路', signal: '信号',
  cpuLoad: 'CPU 负载（1 分钟）', memory: '内存', disk: '磁盘', rss: 'kefu 进程内存', cpus: '{n} 核', usedOf: '已用 {used} / 共 {total}',
  cls: '类别', pending: '待发', losses: '丢失', 'class.critical': '关键', 'class.event': '事件', 'class.telemetry': '遥测', 'class.bulk': '批量',
  outboxBytes: '占用空间', resident: '内存中', inflight: '在途', lastSeq: '最后序号', noLosses: '没有丢失', hasLosses: '有数据丢失',
  pluginState: '状态', chatStats: '对话统计',
  'chat.messages': '消息', 'chat.aiAnswers': 'AI 回答', 'chat.handoffs': '转人工', 'chat.ratings': '评价数', 'chat.avgRating': '平均评分',
  'chat.open': '进行中会话', 'chat.waiting': '排队等人工', 'chat.withAgent': '人工服务中', 'chat.agentsOnline': '在线坐席', 'chat.disconnected': '客户断线待重连',
  'video.room': '视频房间', 'video.callId': '通话编号', 'video.participants': '参与人数',
  trendMem: '内存已用 %', trendLoad: 'CPU 负载', trendOutbox: '待发条数', trendRsrp: 'RSRP (dBm)', trendSinr: 'SINR (dB)', trendChat: '进行中 / 排队',
  trendsEmpty: '趋势图需要至少两次遥测（系统每分钟左右上报一次）。',
  dur_d: '{d} 天 {h} 小时', dur_h: '{h} 小时 {m} 分', dur_m: '{m} 分 {s} 秒', dur_s: '{s} 秒',
};
export const boxEn = {
  secIdentity: 'Identity & link', secSystem: 'System resources', secOutbox: 'Outbox (pending / lost)', secPlugins: 'Plugins', secTrends: 'Recent trends', secRaw: 'All raw telemetry values (for installers)',
  hostname: 'Host name', platform: 'Operating system', node: 'Node version', uptime: 'Up since boot', daemonUptime: 'Service running for', linkId: 'Link', signal: 'Signal',
  cpuLoad: 'CPU load (1 min)', memory: 'Memory', disk: 'Disk', rss: 'kefu process memory', cpus: '{n} cores', usedOf: '{used} used of {total}',
  cls: 'Class', pending: 'Pending', losses: 'Lost', 'class.critical': 'Critical', 'class.event': 'Events', 'class.telemetry': 'Telemetry', 'class.bulk': 'Bulk',
  outboxBytes: 'Space used', resident: 'In memory', inflight: 'In flight', lastSeq: 'Last seq', noLosses: 'nothing lost', hasLosses: 'data was lost',
  pluginState: 'State', chatStats: 'Chat figures',
  'chat.messages': 'Messages', 'chat.aiAnswers': 'AI answers', 'chat.handoffs': 'Handoffs to staff', 'chat.ratings': 'Ratings', 'chat.avgRating': 'Average rating',
  'chat.open': 'Open chats', 'chat.waiting': 'Waiting for staff', 'chat.withAgent': 'With staff', 'chat.agentsOnline': 'Staff online', 'chat.disconnected': 'Customers gone, may return',
  'video.room': 'Video room', 'video.callId': 'Call ID', 'video.participants': 'Participants',
  trendMem: 'Memory used %', trendLoad: 'CPU load', trendOutbox: 'Pending items', trendRsrp: 'RSRP (dBm)', trendSinr: 'SINR (dB)', trendChat: 'Open / waiting',
  trendsEmpty: 'Trends need at least two telemetry samples (the system reports about once a minute).',
  dur_d: '{d} d {h} h', dur_h: '{h} h {m} min', dur_m: '{m} min {s} s', dur_s: '{s} s',
};
