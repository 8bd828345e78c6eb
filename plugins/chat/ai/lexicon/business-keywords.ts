// Routing keywords: the human queue a question belongs to, even when no entry answers it. They are looked for in
// the folded text, so each is a canonical form (a synonym variant would be folded away first; the lexicon test
// checks). Chinese keywords match anywhere, Latin ones as whole words; a longer keyword is stronger evidence.
// Each queue lists the words that name its business in the KB's entries and the business the hall's counter for
// it also handles (the queue decides who helps the customer when no entry answers).

/** business → keywords that identify a queue even when no KB entry answers (after synonym normalisation) */
export const TAX_BUSINESS_KEYWORDS: Record<string, string[]> = {
  invoice: ['发票', '进项', '红字发票', '数电发票', '额度', '代开', '异常凭证', '抵扣', '查验', '税控设备', '开错', '作废', '票种',
    '销项', '勾选', '抬头', '发票章',
    'invoice', 'red-letter', 'fully-digital e-invoice', 'quota', 'void'],
  registration: ['登记', '注销', '营业执照', '变更', '迁出', '迁入', '迁到', '地址', '法人', '跨区域涉税事项', '新办纳税人套餐', '开业', '停业', '非正常户',
    '清税', '复业', '多证合一', '新办', '一般纳税人', '备案', '市场监管部门', '股东', '注册资本', '分公司', '核算方式', '税费种', '报验',
    'register', 'registration', 'deregister', 'license', 'legal representative', 'migration', 'another region'],
  declaration: ['申报', '缴税', '纳税', '税款', '滞纳金', '罚款', '处罚', '环保税', '印花税', '企业所得税', '增值税', '消费税', '资源税',
    '加计扣除', '稽查', '税率', '汇总纳税', 'cit', 'vat', '逾期', '截止日', '更正', '预缴', '附加税', '城建税', '城市维护建设税', '教育费附加',
    '财务报表', '补缴', '首违不罚', '纳税信用', '信用等级', '小规模', '所属期', '残保金', '工会经费', '文化事业建设费', '城镇土地使用税',
    'file', 'filing', 'filed', 'return', 'returns', 'late', 'penalty', 'late fee', 'zero return', 'deadline', 'stamp duty', 'monthly', 'quarterly'],
  refund: ['退税', '留抵退税', '出口退税', '退还', '多缴', '退库', '退抵税费', '即征即退', '先征后退', '退费',
    'refund', 'overpaid', 'retained credit', 'export'],
  certificate: ['证明', '完税证明', '打印', '无欠税证明', '纳税记录',
    'certificate', 'proof', 'print', 'tax record', 'tax payment certificate', 'no tax arrears'],
  iit: ['个人所得税', '汇算', '专项附加扣除', '年终奖', '工资', '劳务报酬', '个人所得税app', '综合所得', '外籍', '183天', '子女教育', '继续教育',
    '大病', '婴幼儿', '住房贷款利息', '住房租金', '赡养老人', '稿酬', '经营所得', '股息', '分红', '偶然所得', '扣缴', '预扣', '补税', '注册码',
    '冒用', '任职', '薪资', '奖金', '年薪',
    'iit', 'deduction', 'annual reconciliation', 'salary', 'bonus', 'wage', 'wages', 'identity theft', 'never employed'],
  social_insurance: ['社保', '医保', '养老', '灵活就业', '缴费基数', '缴费记录', '城乡居民', '参保', '档次', '人社', '断缴', '工伤保险',
    '生育保险',
    'social insurance', 'medical insurance', 'pension', 'freelancer', 'contribution'],
  property: ['房', '契税', '车辆购置税', '车船税', '土地增值税', '房产税', '二手房', '买车', '土地', '不动产', '车辆', '汽车', '首套房', '耕地占用税',
    'home', 'property', 'deed tax', 'vehicle', 'vehicle purchase tax', 'second-hand', 'first-home', 'land'],
  e_tax: ['电子税务局', 'app', '办税员', '登录', '密码', '手机', '数字证书', 'ca', '实名', '授权', '人脸识别', '验证码', '用户名', '掌上办税', '小程序',
    '统一社会信用代码', '权限', '重置', '闪退', '卡顿', '网页', '网站',
    'e-tax', 'login', 'password', 'tax clerk', 'authorized', 'face recognition', 'online'],
  general: ['办税服务厅', '营业时间', '预约', '取号', '停车', '电话', '自助办税终端', '代办', '位置', '周末', '节假日', '服务中心', '地铁', '公交',
    // not 窗口: complaints name the window (窗口人员态度不好) and would land at the general desk
    '委托书', '12366', '拨打',
    'hall', 'opening hours', 'appointment', 'queue number', 'parking', 'hotline', 'kiosk', 'location', 'behalf', 'weekend', 'power of attorney'],
  complaint: ['投诉', '举报', '态度', '意见', '表扬', '批评', '不满', '差评',
    'complaint', 'complain', 'feedback'],
};
