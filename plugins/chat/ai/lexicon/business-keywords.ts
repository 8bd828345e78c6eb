// Routing keywords: the human queue a question belongs to, even when no entry answers it.

/** business → keywords that identify a queue even when no KB entry answers (after synonym normalisation) */
export const TAX_BUSINESS_KEYWORDS: Record<string, string[]> = {
  invoice: ['发票', '专票', '普票', '进项', '红字发票', '数电发票', '额度', '代开', '异常凭证', '抵扣'],
  registration: ['登记', '注销', '营业执照', '变更', '迁出', '迁入', '迁到', '地址', '法人', '跨区域涉税事项', '报到', '开业', '停业', '非正常户'],
  declaration: ['申报', '缴税', '纳税', '税款', '滞纳金', '罚款', '处罚', '环保税', '印花税', '企业所得税', '增值税', '消费税', '资源税',
    '加计扣除', '稽查', '税率', '汇总纳税', 'cit', 'vat'],
  refund: ['退税', '留抵退税', '出口退税', '退还', '多缴'],
  certificate: ['证明', '完税证明', '打印', '无欠税证明'],
  iit: ['个人所得税', '汇算', '专项附加扣除', '年终奖', '工资', '劳务报酬', '个人所得税app', '综合所得', '外籍', '183天'],
  social_insurance: ['社保', '医保', '养老', '灵活就业', '缴费基数'],
  property: ['房', '契税', '车辆购置税', '车船税', '土地增值税', '房产税', '二手房', '买车', '土地'],
  e_tax: ['电子税务局', 'app', '办税员', '登录', '密码', '手机', '数字证书', 'ca'],
  general: ['办税服务厅', '营业时间', '预约', '取号', '停车', '电话', '自助办税终端', '代办'],
  complaint: ['投诉', '举报', '态度'],
};
