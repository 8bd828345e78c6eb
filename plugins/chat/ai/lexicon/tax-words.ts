// Domain words jieba should keep whole. A question word in this list that the KB never uses names a topic the KB
// does not cover (the engine refuses it as uncovered_term).

/** words jieba should keep whole */
export const TAX_WORDS = [
  '数电发票', '红字发票', '留抵退税', '出口退税', '完税证明', '无欠税证明', '电子税务局', '个人所得税app', '办税服务厅',
  '自助办税终端', '专项附加扣除', '零申报', '车辆购置税', '契税', '办税员', '汇算', '跨区域涉税事项', '灵活就业',
  '开具发票', '代开', '查验', '额度', '社保', '医保', '环保税', '印花税', '土地增值税', '房产税', '消费税', '资源税',
  '企业所得税', '增值税', '城镇土地使用税', '耕地占用税', '车船税', '加计扣除', '异常凭证', '进项转出', '会计分录',
  '新办', '新办企业', '领用发票', '劳务', '缴费记录', '申报表', '位置', '真伪', '更正', '作废', '代办',
  // tax-hall business the KB has no entry for: named in a question, it is that business, not a near KB entry
  '税务师', '代理记账', '核定征收', '查账征收', '定期定额', '高新技术企业', '研发费用', '发票遗失', '发票丢失', '收购发票', '通行费发票',
  '行程单', '缴款书', '代扣代缴', '股权转让', '延期申报', '延期缴纳', '缓缴', '分期缴纳', '纳税担保', '纳税评估', '简易计税', '差额征税',
  '发票丢了', '丢了发票', '发票弄丢', '发票丢失了', '发票被盗', '发票损毁', '发票找不到了',
  '个人养老金', '勾选认证', '认证期限', '抵扣期限', '勾选期限',
];
