// Topic terms that decide whether an entry can answer at all: named tax types, other departments' business, and
// facets (a rate, a threshold) only an entry that states one answers.

/** named tax types: a question about one of them is not answered by an entry that never names it */
export const TAX_TYPES = ['个人所得税', '企业所得税', '增值税', '消费税', '印花税', '房产税', '契税', '车辆购置税', '车船税', '土地增值税',
  '城镇土地使用税', '耕地占用税', '环保税', '环境保护税', '资源税', '关税', '烟叶税', '船舶吨税'];
/**
 * other departments' business that still has a nearest counter in the hall: benefits paid by the social-insurance
 * agencies go to the social-insurance fee queue, business-licence scope to registration; the rest to the general desk
 */
export const OTHER_DEPARTMENT_QUEUE: Record<string, string> = {
  医保报销: 'social_insurance', 养老金: 'social_insurance', 失业金: 'social_insurance', 失业保险: 'social_insurance', 退休: 'social_insurance',
  经营范围: 'registration',
};
/** other departments' business: named in a question, the answering entry must name it too */
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
