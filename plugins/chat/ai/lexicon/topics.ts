// Topic terms that decide whether an entry can answer at all: named tax types, other departments' business, and
// facets (a rate, a threshold) only an entry that states one answers.

/** named tax types: a question about one of them is not answered by an entry that never names it */
export const TAX_TYPES = ['个人所得税', '企业所得税', '增值税', '消费税', '印花税', '房产税', '契税', '车辆购置税', '车船税', '土地增值税',
  '城镇土地使用税', '耕地占用税', '环保税', '环境保护税', '资源税', '关税', '烟叶税', '船舶吨税',
  // surcharges and fees the tax bureau collects, and taxes China does not levy: no entry covers them
  '城建税', '城市维护建设税', '教育费附加', '地方教育附加', '文化事业建设费', '残保金', '残疾人就业保障金', '工会经费', '水利建设基金',
  '土地出让金', '遗产税', '赠与税', '房地产税', '水利基金', '文化事业费', '残疾人保障金'];
/**
 * other departments' business that still has a nearest counter in the hall: benefits paid by the social-insurance
 * agencies go to the social-insurance fee queue, business-licence scope to registration; the rest to the general desk
 */
export const OTHER_DEPARTMENT_QUEUE: Record<string, string> = {
  医保报销: 'social_insurance', 养老金: 'social_insurance', 失业金: 'social_insurance', 失业保险: 'social_insurance', 退休: 'social_insurance',
  经营范围: 'registration',
  社保卡: 'social_insurance', 医保卡: 'social_insurance', 生育津贴: 'social_insurance', 工伤认定: 'social_insurance',
  // looked for after folding (异地 reads 外地)
  社保转移: 'social_insurance', 医保转移: 'social_insurance', 外地就医: 'social_insurance', 门诊报销: 'social_insurance', 住院报销: 'social_insurance',
  生育报销: 'social_insurance',
  工商年报: 'registration', 企业年报: 'registration', 年报公示: 'registration', 营业执照年报: 'registration', 许可证: 'registration',
  办营业执照: 'registration', 办理营业执照: 'registration', 申请营业执照: 'registration', 营业执照怎么办: 'registration',
  营业执照在哪办: 'registration', 营业执照去哪办: 'registration', 营业执照在哪里办: 'registration', 营业执照去哪里办: 'registration',
  'social insurance card': 'social_insurance', 'medical card': 'social_insurance', 'insurance card': 'social_insurance',
  unemployment: 'social_insurance', retirement: 'social_insurance', 'business scope': 'registration',
};
/** other departments' business: named in a question, the answering entry must name it too */
export const OTHER_DEPARTMENT_TERMS = ['失业金', '失业保险', '退休', '户口', '身份证', '护照', '签证', '驾照', '驾驶证', '公积金', '经营范围', '结婚', '离婚', '学籍',
  // other offices by name: a question about their hours or place is not the hall's
  '派出所', '公安局', '民政局', '邮局', '街道办', '居委会', '教育局',
  // the bank's own business (its hours, loans and rates); a bank card or account is the hall's (refunds, 存款账户报告)
  '银行营业', '银行上班', '银行下班', '银行开门', '银行贷款', '贷款利率', '存款利率',
  '医保报销', '养老金', '低保', '车牌', '违章', '罚单', '交通罚款', '商标', '出入境', '港澳通行证', '房产证', '不动产权证',
  // cards, benefits and records other agencies keep (human resources, medical security, police, civil affairs, health)
  '社保卡', '医保卡', '生育津贴', '工伤认定', '居住证', '暂住证', '户籍', '出生证明', '准生证', '残疾证', '津贴', '补贴', '医院',
  // market regulation, labour, courts, banks, vehicles, education, intellectual property
  '工商年报', '企业年报', '年报公示', '营业执照年报', '许可证', '劳动仲裁', '劳动合同', '欠薪', '拖欠工资', '讨薪', '劳动监察', '法院', '起诉', '律师',
  '公证处', '信用卡', '征信', '车管所', '年检', '驾校', '毕业证', '学位证', '教师资格证', '专利', '著作权', '版权', '消防', '城管', '海关',
  '社保转移', '医保转移', '外地就医', '门诊报销', '住院报销', '生育报销', '网签', '统计报表', '统计局',
  // getting a business licence is market regulation's (having one is where the tax hall starts: 刚领了营业执照)
  '办营业执照', '办理营业执照', '申请营业执照', '营业执照怎么办', '营业执照在哪办', '营业执照去哪办', '营业执照在哪里办', '营业执照去哪里办'];
export const EN_OTHER_TERMS = ['passport', 'visa', 'driving license', 'driver', 'housing fund', 'marriage', 'hukou', 'id card',
  // looked for after folding: 'social security card' reads 'social insurance card'
  'social insurance card', 'medical card', 'insurance card', 'unemployment', 'retirement', 'business scope', 'credit card', 'bank loan',
  'vehicle loan', 'student loan', 'police station', 'residence permit', 'work permit', 'trademark', 'patent', 'court', 'lawyer', 'divorce',
  'traffic', 'speeding', 'parking fine', 'hospital', 'birth certificate', 'green card'];
/**
 * what a question asks for, beyond its topic: a rate or a threshold is answered only by an entry that states one
 * (个人所得税税率表 is no question for the annual-reconciliation entry, though both are about 个人所得税)
 */
export const ASKED_FACETS = ['税率', '利率', '起征点', '计税',
  // a detail that changes the rules of the entry's topic, which only an entry that speaks of it can give: how long a
  // paper stays valid, interest on money paid late or back, an inheritance or a gift instead of a sale, a second-hand
  // thing instead of a new one, a foreign national's or non-resident's case, the service in English, converting
  // a business from one form to another, the browser or computer a website works with
  '有效期', '利息', '继承', '遗产', '赠与', '二手', '外籍', '非居民', '英文版', '英文界面', '英文网站', '英文服务', '英语', '转成', '转为', '转一般纳税人', '浏览器'];
export const EN_ASKED_FACETS = ['rate', 'threshold', 'validity', 'interest', 'inherit', 'inherited', 'inheritance', 'second-hand', 'secondhand',
  'used car', 'non-resident', 'english', 'browser', 'safari', 'chrome', 'firefox', 'mac', 'macbook'];
export const EN_TAX_TYPES = ['vat', 'cit', 'stamp duty', 'consumption tax', 'property tax', 'deed tax', 'land value', 'resource tax', 'customs',
  'urban maintenance', 'city construction', 'education surcharge', 'land use tax', 'vehicle and vessel', 'vessel tax', 'environmental protection tax',
  'environmental tax', 'tobacco', 'tonnage', 'inheritance tax', 'gift tax', 'farmland'];

/**
 * the Chinese forms of the English topic terms: the English gloss summarises its entry, so an entry names a topic when
 * its Chinese text does (an English question about 'ID card' is answered by an entry whose answer lists 身份证)
 */
export const EN_TOPIC_ZH: Record<string, string[]> = {
  vat: ['增值税'], cit: ['企业所得税'], 'stamp duty': ['印花税'], 'consumption tax': ['消费税'], 'property tax': ['房产税'], 'deed tax': ['契税'],
  'land value': ['土地增值税'], 'resource tax': ['资源税'], customs: ['关税', '海关'], 'urban maintenance': ['城建税', '城市维护建设税'],
  'city construction': ['城建税', '城市维护建设税'], 'education surcharge': ['教育费附加', '地方教育附加'], 'land use tax': ['城镇土地使用税'],
  'vehicle and vessel': ['车船税'], 'vessel tax': ['车船税'], 'environmental protection tax': ['环保税', '环境保护税'], 'environmental tax': ['环保税', '环境保护税'],
  tobacco: ['烟叶税'], tonnage: ['船舶吨税'], farmland: ['耕地占用税'],
  passport: ['护照'], visa: ['签证'], 'driving license': ['驾照', '驾驶证'], 'housing fund': ['公积金'], marriage: ['结婚'], hukou: ['户口', '户籍'],
  'id card': ['身份证'], 'social insurance card': ['社保卡'], 'medical card': ['医保卡'], 'insurance card': ['社保卡', '医保卡'],
  unemployment: ['失业金', '失业保险'], retirement: ['退休', '养老金'], 'business scope': ['经营范围'], 'credit card': ['信用卡'],
  'residence permit': ['居住证'], trademark: ['商标'], patent: ['专利'], court: ['法院'], lawyer: ['律师'], divorce: ['离婚'],
  traffic: ['违章', '交通罚款', '罚单'], hospital: ['医院'], 'birth certificate': ['出生证明'],
};
