// Intents that bypass retrieval: escalation to a human, and small talk.

/**
 * Intents that always go to a human whatever the KB says: explicit requests, complaints, disputes,
 * personal calculations, suspected fraud, frustration, accounting advice. Each is a list of regexes.
 */
export const ESCALATION_RULES: Array<{ intent: string; business?: string; patterns: RegExp[] }> = [
  { intent: 'human_request', patterns: [/转人工|人工客服|人工服务|找人工|要人工|真人|^人工$|接人工|人工坐席|^有人吗|^有没有人|^人呢|找个人工|客服人员/, /\b(human|real person|operator)\b|\b(talk|speak|chat|connect|transfer)\b.{0,20}\b(agent|representative|someone|staff|person)\b|^(agent|representative)[\s.!?]*$/] },
  { intent: 'complaint', business: 'complaint', patterns: [/投诉|举报|态度(太|很|极|真|特别|非常)?(差|不好|恶劣|粗暴)|谁来负责|白跑|太慢了|不作为|太过分|不满意|差评|效率(太|很|真|极)?低|服务(太|很|真|极)差|等了.{0,6}(小时|半天|好久|很久)|不耐烦|推诿|踢皮球|刁难|乱收费|没人管|没人理|不理人|排了.{0,4}(小时|半天)/, /\b(complain(t|ts|ing)?|rude)\b/] },
  { intent: 'frustration', patterns: [/(没|听不)懂我|答非所问|问了.{0,3}[遍次]|机器人.{0,4}(没用|不行|垃圾)|你(根本|到底)|不是这个意思|说了半天|你说的不对|还是没解决/, /you (don't|do not|didn't) understand|useless (bot|robot)|not helpful at all/] },
  { intent: 'dispute', patterns: [/申辩|复议|不服|争议|陈述申辩|行政诉讼|稽查|立案|处罚决定/, /\b(appeal|dispute|administrative review|object to the)\b/] },
  { intent: 'fraud_check', patterns: [/(点|发).{0,4}链接|(要|问|索要|告诉|发给|提供|报).{0,6}验证码|验证码.{0,6}(给|告诉|发给)|银行卡号|诈骗|骗子|钓鱼|冒充.{0,6}(税务|工作人员|客服)|(短信|电话|链接|通知|网站|消息).{0,30}是真的吗/, /\b(scam|phishing|fraud|verification code|card number)\b/] },
  // a question with the customer's own amount in it asks for a calculation the KB cannot make
  { intent: 'personal_calculation', patterns: [/帮我(算|计算|测算)|算一下|算算|哪个(更)?划算|按我的/,
    /(\d[\d,.]*|[一二两三四五六七八九十百千几]+)\s*(万|千|百|元|块)[^。？?!！]{0,24}(多少|几个点|怎么算|怎么计算|算下来)/,
    /(月薪|年薪|工资|薪水|收入|奖金|年终奖|房价|车价|售价|总价|成交价)\s*(是|有|为|大概)?\s*(\d|[一二两三四五六七八九十]+[万千])[^。？?!！]{0,24}(多少|几个点|怎么算|怎么计算)/, /\b(calculate|work out) (my|how much)|how much (tax )?(will|would|should) i (pay|owe|get)/] },
  { intent: 'accounting_advice', patterns: [/会计分录|账务处理|怎么入账|做账|记账凭证/, /\b(journal entr(y|ies)|bookkeeping entr(y|ies))\b/] },
  { intent: 'exception_case', patterns: [/异常凭证|失联|走逃|非正常户|没人能签字|被冻结/] },
];

/** a whole message that is only a greeting, thanks or "who are you": answered kindly, never from the KB */
export const SMALLTALK = /^(今天(是)?(几号|星期几|礼拜几|周几)|现在几点(了)?|几点了|你好|您好|你好呀|你好啊|您好呀|早上好|上午好|中午好|下午好|晚上好|在吗|在么|在不在|哈喽|哈罗|嗨|谢谢|谢谢你|谢谢您|谢啦|谢了|多谢|感谢|好的|好的谢谢|知道了|明白了|收到|辛苦了|嗯+|哦+|再见|拜拜|回见|你是谁|你叫什么(名字)?|你是机器人吗|hi|hello|hey|thanks|thank you|ok|okay|bye|goodbye|good (morning|afternoon|evening)|who are you|what('s| is) your name|are you a (ro)?bot)[\s!！。.?？~,，]*$/i;
