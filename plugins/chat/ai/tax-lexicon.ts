// Built-in tax-domain lexicon: synonyms (variant → one canonical form applied to KB and query alike),
// extra jieba words, escalation intents and business keywords. Operators extend it through the KB file.

/** canonical → variants customers say or type */
export const TAX_SYNONYMS: Record<string, string[]> = {
  发票: ['发漂', '发飘', '发标'],
  个人所得税: ['个税', '个人所得'],
  个人所得税app: ['个税app', '个税软件', '个税应用'],
  社保: ['社会保险费', '社会保险', '社保费', '五险'],
  医保: ['医疗保险', '医保费'],
  // keep 发票 in the canonical form: folding 开发票 → 开票 would drop the key term
  开具发票: ['开票', '开发票', '开个票'],
  红字发票: ['红冲', '冲红', '红票', '红字', '冲掉', '冲销', '冲回'],
  数电发票: ['数电票', '全电发票', '全电票', '全面数字化电子发票', '数字化电子发票'],
  电子税务局: ['电子税局', '网上税务局', '税务网站', '网上办税', '网厅', 'etax', 'e-tax'],
  办税服务厅: ['办税大厅', '税务大厅', '服务大厅', '大厅', '服务厅'],
  自助办税终端: ['自助办税机', '自助终端', '自助机', '自助办税设备'],
  留抵退税: ['留抵退', '增量留抵', '留抵税额退'],
  出口退税: ['出口退免税', '退免税'],
  完税证明: ['税收完税证明', '完税凭证'],
  法人: ['法定代表人', '法人代表'],
  车辆购置税: ['购置税', '车购税'],
  申报: ['报税', '纳税申报'],
  零申报: ['零报税', '0申报', '报零', '零报'],
  登录: ['登陆', '登入', '登不上', '登不进', '进不去'],
  营业时间: ['上班时间', '开门时间', '办公时间', '几点上班', '几点开门', '几点下班', '几点关门', '下班时间', '午休', '中午休息'],
  取号: ['排号', '拿号', '排队', '叫号'],
  代开: ['代开票'],
  查验: ['验真', '验证真伪', '辨别真假', '查真假', '真伪', '是不是假的', '是假的', '假发票'],
  额度: ['限额', '提额'],
  专项附加扣除: ['专项扣除', '附加扣除', '专扣'],
  汇算: ['汇算清缴', '年度汇缴', '汇缴'],
  灵活就业: ['自由职业', '打零工'],
  跨区域涉税事项: ['外出经营', '异地经营', '外经证'],
  无欠税证明: ['没有欠税证明', '未欠税证明', '不欠税证明'],
  营业执照: ['执照'],
  // colloquial → the KB's formal wording
  子女教育: ['孩子上学', '小孩上学', '孩子读书', '子女上学'],
  住房贷款利息: ['房贷', '房贷利息'],
  住房租金: ['房租'],
  赡养老人: ['养老人', '父母养老'],
  出租房屋: ['房子租出去', '房屋出租', '出租房子', '把房子租'],
  出口: ['卖到国外', '卖到海外', '卖给外国', '外贸'],
  外地: ['隔壁省', '外省', '外市', '省外', '异地', '其他省', '跨省', '跨市', '外县', '别的省', '别的市', '别的城市', '其它省', '其他城市', '其他市'],
  电话: ['热线', '咨询电话', '服务电话'],
  到账: ['到帐', '到卡上', '到卡里', '打到卡上', '打到卡里', '进卡里', '到银行卡'],
  变更: ['迁移', '搬迁', '搬家', '更改', '变动', '变了', '改了', '更换', '换人', '换了', '更新'],
  办税员: ['办税人员', '财务人员', '会计人员', '会计', '出纳', '报税员', '办税的人', '报税的人'],
  查询: ['看看', '查一下', '查查', '查看'],
  缴费: ['交费', '交钱'],
  缴纳: ['交纳'],
  多缴: ['重复缴', '重复交'],
  手机: ['移动端', '手机上'],
  // concept classes of hall-counter Chinese: how customers say what the KB says formally
  // canonical forms with a space fold to two words (新办 + 公司), not one new word the KB never uses
  '新办 公司': ['新公司', '新开的公司', '刚开的公司', '刚成立的公司', '新成立的公司', '刚注册的公司', '新注册的公司', '新设立的公司', '刚办的公司',
    '新开公司', '新成立公司', '新注册公司'],
  '新办 企业': ['新企业'],
  新办: ['刚成立', '新成立', '刚注册', '新注册', '刚开业', '新开业', '新设立', '刚设立', '刚开张', '新开张'],
  领用发票: ['领票', '领发票', '拿发票', '买发票', '购票', '购买发票', '领取发票', '申领发票'],
  劳务: ['干活', '兼职', '接私活', '做活', '工钱', '劳务费', '帮工'],
  个人: ['自然人', '私人'],
  添加: ['绑定', '关联', '加到', '加进', '新增'],
  更正: ['修改', '纠正', '改一下', '改过来'],
  作废: ['撤销', '废掉', '取消掉', '退回重开'],
  代办: ['替别人', '替他人', '替人', '替公司', '替单位', '帮别人', '帮他人', '帮人家', '代别人', '代他人', '委托他人', '委托别人',
    '帮老板', '帮我老板', '帮领导', '帮家人', '帮朋友', '帮亲戚', '替老板', '替领导', '替家人', '替朋友'],
  位置: ['什么位置', '哪个位置', '具体位置', '什么地方', '地点', '怎么过去', '怎么去', '怎么走', '地址在哪'],
  缴费记录: ['交没交', '有没有交', '有没有缴', '交了没有', '缴了没有', '缴费情况', '交了几年', '缴费年限', '交社保的记录', '交了多少年', '缴了多少年', '缴了几年', '交了多久'],
  纳税记录: ['个税缴纳记录', '个税记录', '交税记录', '缴税记录', '纳税明细'],
  注销: ['关门了', '倒闭', '不做了', '不干了', '不开了', '歇业', '关掉公司', '销户'],
  逾期: ['过了期限', '过了申报期限', '过了申报期', '过期了', '超期', '晚报了', '报晚了'],
  截止日: ['期限', '截止日期', '最后期限', '最后一天'],
  没有收入: ['没开张', '没营业', '没经营', '没业务', '没有业务', '没生意', '没有经营', '没收入', '无收入'],
  周末: ['周六', '周日', '星期六', '星期天', '星期日', '礼拜六', '礼拜天', '双休日'],
  申报表: ['申报记录', '报税记录', '申报信息', '申报数据', '报过的'],
  真伪: ['真假', '辨别', '鉴别', '分辨', '辨真伪', '假票'],
};

export const EN_SYNONYMS: Record<string, string[]> = {
  login: ['log in', 'log into', 'logon', 'sign in', 'signin'],
  'e-tax': ['electronic tax bureau', 'online tax bureau', 'tax website', 'etax', 'e tax'],
  app: ['application', 'apps'],
  phone: ['mobile', 'cellphone', 'smartphone'],
  new: ['just set up', 'newly registered', 'newly established', 'just registered', 'newly', 'brand new'],
  home: ['apartment', 'flat', 'house'],
  vehicle: ['car', 'automobile'],
  deregister: ['close down', 'shut down', 'dissolve', 'close my company', 'wind up'],
  quota: ['limit', 'ceiling'],
  refund: ['rebate', 'money back', 'reimburse'],
  invoice: ['fapiao', 'receipt'],
  kiosk: ['self-service machine', 'terminal'],
  // the longer corporate name folds first, or 'corporate income tax' would read as 'corporate iit'
  cit: ['corporate income tax', 'enterprise income tax', 'company income tax', 'business income tax'],
  iit: ['individual income tax', 'personal income tax', 'income tax'],
  arrears: ['owe', 'owed', 'owing', 'unpaid tax', 'outstanding tax'],
  deadline: ['due date', 'due day', 'cutoff date', 'cut-off date', 'last day', 'time limit'],
  hall: ['office', 'service hall', 'tax office'],
  individual: ['sole trader', 'sole proprietor', 'private person'],
  check: ['verify', 'validate', 'look up', 'lookup'],
  correct: ['amend', 'modify', 'revise', 'fix', 'change my return', 'edit'],
  genuine: ['authentic', 'real', 'fake', 'forged', 'counterfeit'],
  void: ['cancel', 'revoke', 'invalidate', 'scrap'],
  // 'another city' is the KB's 'another region' (temporary business elsewhere)
  'another region': ['another province', 'another city', 'other province', 'other city', 'different city', 'different province', 'other region'],
  location: ['address', 'directions', 'located', 'how do i get there', 'get there', 'how do i get to', 'how to get to', 'way to'],
};

/** named tax types: a question about one of them is not answered by an entry that never names it */
export const TAX_TYPES = ['个人所得税', '企业所得税', '增值税', '消费税', '印花税', '房产税', '契税', '车辆购置税', '车船税', '土地增值税',
  '城镇土地使用税', '耕地占用税', '环保税', '环境保护税', '资源税', '关税', '烟叶税', '船舶吨税'];
/** other departments' business: named in a question, the answering entry must name it too */
/**
 * other departments' business that still has a nearest counter in the hall: benefits paid by the social-insurance
 * agencies go to the social-insurance fee queue, business-licence scope to registration; the rest to the general desk
 */
export const OTHER_DEPARTMENT_QUEUE: Record<string, string> = {
  医保报销: 'social_insurance', 养老金: 'social_insurance', 失业金: 'social_insurance', 失业保险: 'social_insurance', 退休: 'social_insurance',
  经营范围: 'registration',
};
export const OTHER_DEPARTMENT_TERMS = ['失业金', '失业保险', '退休', '户口', '身份证', '护照', '签证', '驾照', '驾驶证', '公积金', '经营范围', '结婚', '离婚', '学籍',
  '医保报销', '养老金', '低保', '车牌', '违章', '罚单', '交通罚款', '商标', '出入境', '港澳通行证', '房产证', '不动产权证'];
export const EN_OTHER_TERMS = ['passport', 'visa', 'driving licen', 'driver', 'housing fund', 'marriage', 'hukou', 'id card'];
/**
 * what a question asks for, beyond its topic: a rate or a threshold is answered only by an entry that states one
 * (个人所得税税率表 is no question for the annual-reconciliation entry, though both are about 个人所得税)
 */
export const ASKED_FACETS = ['税率', '起征点'];
export const EN_ASKED_FACETS = ['rate', 'threshold'];
export const EN_TAX_TYPES = ['vat', 'cit', 'stamp duty', 'consumption tax', 'property tax', 'deed tax', 'land value', 'resource tax', 'customs'];

/** words jieba should keep whole */
export const TAX_WORDS = [
  '数电发票', '红字发票', '留抵退税', '出口退税', '完税证明', '无欠税证明', '电子税务局', '个人所得税app', '办税服务厅',
  '自助办税终端', '专项附加扣除', '零申报', '车辆购置税', '契税', '办税员', '汇算', '跨区域涉税事项', '灵活就业',
  '开具发票', '代开', '查验', '额度', '社保', '医保', '环保税', '印花税', '土地增值税', '房产税', '消费税', '资源税',
  '企业所得税', '增值税', '城镇土地使用税', '耕地占用税', '车船税', '加计扣除', '异常凭证', '进项转出', '会计分录',
  '新办', '新办企业', '领用发票', '劳务', '缴费记录', '申报表', '位置', '真伪', '更正', '作废', '代办',
];

/** business → keywords that identify a queue even when no KB entry answers (after synonym normalisation) */
export const TAX_BUSINESS_KEYWORDS: Record<string, string[]> = {
  invoice: ['发票', '专票', '普票', '开票', '进项', '红字发票', '数电发票', '额度', '代开', '异常凭证', '抵扣'],
  registration: ['登记', '注销', '营业执照', '变更', '迁移', '迁出', '迁入', '迁到', '地址', '法人', '跨区域涉税事项', '报到', '开业', '停业', '非正常户'],
  declaration: ['申报', '缴税', '纳税', '税款', '滞纳金', '罚款', '处罚', '环保税', '印花税', '企业所得税', '增值税', '消费税', '资源税',
    '加计扣除', '稽查', '税率', '汇总纳税', 'cit', 'vat'],
  refund: ['退税', '留抵退税', '出口退税', '退还', '多缴'],
  certificate: ['证明', '完税证明', '打印', '无欠税证明'],
  iit: ['个人所得税', '汇算', '专项附加扣除', '年终奖', '工资', '劳务报酬', '个人所得税app', '综合所得', '外籍', '183天'],
  social_insurance: ['社保', '医保', '养老', '灵活就业', '缴费基数'],
  property: ['房', '契税', '车辆购置税', '车船税', '土地增值税', '房产税', '二手房', '买车', '土地'],
  e_tax: ['电子税务局', 'app', '办税员', '登录', '密码', '手机', '数字证书', 'ca'],
  general: ['办税服务厅', '营业时间', '预约', '取号', '停车', '电话', '热线', '自助办税终端', '代办'],
  complaint: ['投诉', '举报', '态度'],
};

export const ZH_STOPWORDS = new Set((
  '的 了 吗 呢 啊 吧 呀 嘛 哦 么 我 我们 你 你们 他 她 它 咱 咱们 怎么 怎么办 怎样 如何 什么 哪 哪里 哪儿 哪个 要 需要 可以 能 能不能 ' +
  '可不可以 是 是不是 有 有没有 没有 在 去 来 办 弄 搞 一下 一个 那个 这个 那 这 想 请问 请 还 就 都 也 和 与 及 等 把 被 给 让 对 ' +
  '吧 个 又 再 很 太 会 得 地 着 过 下 上 里 后 前 现在 今天 之前 以后 然后 但是 可是 还是 或者 如果 因为 所以 自己 已经 应该 一直 ' +
  '时候 怎么样 多少 几 能否 是否 不 没 到 从 向 为 多久 啥 咋 为啥 嗯 呃 那边 这边 就是 的话 一点 帮 帮忙 谢谢 你好 您好 您'
).split(/\s+/));

export const EN_STOPWORDS = new Set((
  'a an the i me my we our us you your he she it its they them their is are was were be been being am do does did ' +
  'doing have has had having to of in on at for from by with about as into through after before than then so and or ' +
  'but if not no can could would should will shall may might must how what when where which who whom why this that ' +
  'these those there here just get got any some all also too very up down out over again once please thanks thank hi hello ' +
  'need want like know tell me let still one'
).split(/\s+/));
