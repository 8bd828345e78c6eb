// What a message wants besides a KB answer: a human (requests, complaints, disputes, personal calculations, fraud
// checks, frustration, accounting advice), or nothing the hall does at all (greetings, chit-chat, errands elsewhere).
// Patterns run on the customer's text after NFKC, traditional → simplified and lower-casing, before any folding.

/**
 * Intents that always go to a human whatever the KB says. Each is a list of regexes. Complaints are recognised by
 * how people complain (blame aimed at the hall's service, wasted trips, demands to see someone in charge), not by
 * a list of past complaints; plain slowness of a process ("退税怎么这么慢") is a question, not a complaint.
 */
export const ESCALATION_RULES: Array<{ intent: string; business?: string; patterns: RegExp[] }> = [
  { intent: 'human_request', patterns: [/转人工|人工客服|人工服务|找人工|要人工|真人|^人工$|接人工|人工坐席|^有人吗|^有没有人|^人呢|找个人工|客服人员/, /\b(human|real person|operator)\b|\b(talk|speak|chat|connect|transfer)\b.{0,20}\b(agent|representative|someone|staff|person)\b|^(agent|representative)[\s.!?]*$/] },
  { intent: 'complaint', business: 'complaint', patterns: [
    /投诉|举报|谁来负责|白跑|白来|太慢了|不作为|太过分|不满意|差评|等了.{0,6}(小时|半天|好久|很久)|排了.{0,4}(小时|半天)|乱收费|没人管(?![账帐])/,
    // blame aimed at the hall: its staff, windows, service or attitude, judged badly
    // (差 alone is "short of": 窗口说我差一份材料 is no complaint)
    /(态度|服务(?!厅|大厅|时间|电话|热线|终端)|效率|工作人员|办事员|窗口|柜台|保安|你们的人)[^，。？！,.?!]{0,8}(太差|很差|真差|极差|差劲|最差|太烂|很烂|糟糕|恶劣|粗暴|离谱|过分|敷衍|不耐烦|冷漠|太凶|很凶|凶巴巴|拖拉|推诿|不负责)/,
    /踢皮球|推来推去|推三阻四|刁难|爱答不理|不理人|没人理|一拖再拖|跑了.{0,3}[趟回]|折腾.{0,4}[趟次回]|气死|气人|火大|恼火|烦死|太坑|坑人|坑爹|忽悠|欺负人|什么破|破系统|凭什么|什么玩意/,
    /我要(反映|曝光|上访)|(找|叫|见)你们(的)?(领导|负责人|经理|局长|主任)|(领导|负责人|局长).{0,6}(电话|在哪|是谁|出来)|市长热线/,
    /\b(complain(t|ts|ing)?|rude|unacceptable|ridiculous|disgraceful|waste of (my )?time|(speak|talk) to (your|the|a) (manager|supervisor)|nobody (helps|cares|answers))\b|terrible service|worst service/,
  ] },
  { intent: 'frustration', patterns: [/(没|听不)懂我|答非所问|问了.{0,3}[遍次]|机器人.{0,4}(没用|不行|垃圾)|你(根本|到底)|不是这个意思|说了半天|你说的不对|还是没解决/, /you (don't|do not|didn't) understand|useless (bot|robot)|not helpful at all/] },
  { intent: 'dispute', patterns: [/申辩|复议|不服|争议|陈述申辩|行政诉讼|稽查|立案|处罚决定/, /\b(appeal|dispute|administrative review|object to the)\b/] },
  { intent: 'fraud_check', patterns: [/(点|发).{0,4}链接|(要|问|索要|告诉|发给|提供|报).{0,6}验证码|验证码.{0,6}(给|告诉|发给)|银行卡号|诈骗|骗子|钓鱼|冒充.{0,6}(税务|工作人员|客服)|(短信|电话|链接|通知|网站|消息).{0,30}是真的吗/, /\b(scam|phishing|fraud|verification code|card number)\b/] },
  // a question with the customer's own amount in it asks for a calculation the KB cannot make; a verification code
  // is a fraud sign when someone asks for it (个税app收不到验证码 is a login problem)
  { intent: 'personal_calculation', patterns: [/帮我(算|计算|测算)|(?<!汇)算一下|(?<!汇)算算|哪个(更)?划算|按我的/,
    /(\d[\d,.]*|[一二两三四五六七八九十百千几]+)\s*(万|千|百|元|块)[^。？?!！]{0,24}(多少|几个点|怎么算|怎么计算|算下来)/,
    /(月薪|年薪|工资|薪水|收入|奖金|年终奖|房价|车价|售价|总价|成交价)\s*(是|有|为|大概)?\s*(\d|[一二两三四五六七八九十]+[万千])[^。？?!！]{0,24}(多少|几个点|怎么算|怎么计算)/, /\b(calculate|work out) (my|how much)|how much (tax )?(will|would|should) i (pay|owe|get)/] },
  { intent: 'accounting_advice', patterns: [/会计分录|账务处理|怎么入账|做账|记账凭证/, /\b(journal entr(y|ies)|bookkeeping entr(y|ies))\b/] },
  { intent: 'exception_case', patterns: [/异常凭证|失联|走逃|非正常户|没人能签字|被冻结/] },
];

// a greeting may end in a modal particle (谢谢啊, 好的呀); closing a conversation (没别的事了, 不用了) is small talk too
const GREETING = new RegExp(`^(${[
  '今天(是)?(几号|星期几|礼拜几|周几)|现在几点(了)?|几点了|你好|您好|你好呀|在吗|在不在|哈喽|嗨|谢谢|谢谢你|多谢|好的|好吧|再见|拜拜',
  '你是谁|你是机器人吗|你是真人吗|你是人吗|早上好|上午好|中午好|下午好|晚上好|早|辛苦了|知道了|明白了|收到|嗯+|哈+|呵呵',
  '你好啊|您好呀|在么|哈罗|谢谢您|谢啦|谢了|感谢|好的谢谢|哦+|回见',
  '没(有)?(别的|其他|其它)?(事|问题)(了)?|没有了|不用了|就这样(吧)?|好了|行了|可以了|ok了|懂了',
  'hi|hello|hey|thanks|thank you|ok|okay|bye|goodbye|good (morning|afternoon|evening)|who are you|are you a (ro)?bot|are you (human|real)|what(\'s| is) your name',
].join('|')})[啊呀哈啦了哦嘛吧~]*$`, 'i');

/**
 * A whole message made only of greetings, thanks or "who are you" (你好，在吗？): answered kindly, never from the KB.
 * Checked piece by piece between punctuation: one regex repeating overlapping greetings (嗯+, 哈+) would backtrack
 * exponentially on a long message that fails at its end.
 */
export function isSmallTalk(text: string): boolean {
  const pieces = text.split(/[,，!！。.?？~、]+/).map((p) => p.trim()).filter(Boolean);
  return pieces.length > 0 && pieces.every((p) => GREETING.test(p));
}

/**
 * Chit-chat and errands the hall does not run (jokes, weather, tickets, parcels, restaurants, the bot's private
 * life): refused as small talk when the message names nothing of the hall's business, because a KB entry can share
 * a word with them (预约, 时间, 电话) and would be answered by accident.
 */
export const OFF_TOPIC = [
  /讲.{0,2}笑话|天气(怎么样|如何|预报|好不好|热|冷)|写.{0,2}诗|唱.{0,2}歌|无聊|心情不好|陪我聊|聊聊天|聊天吧/,
  /(推荐|介绍).{0,6}(餐厅|饭店|好吃|美食|景点|电影|酒店)|附近.{0,4}(餐厅|饭店|好吃的|超市|酒店)|帮我(订|买|抢).{0,6}(票|酒店|外卖)|我的快递|外卖|股票|彩票|汇率/,
  // shops and firms near or for the customer: the hall recommends none and runs no errands
  /附近.{0,6}(店|超市|银行|取款机|药店|医院|地铁|公交|加油站|网吧)|(推荐|介绍).{0,6}(公司|机构|中介|律师|会计|代账)/,
  /你(叫什么|几岁|多大了|吃饭了|吃了吗|结婚|有男朋友|有女朋友|喜欢什么|住哪|家在哪)/,
  // the staff's own pay and work, not the customer's
  /你们?(这里|这儿|单位|这边)?的?(工资|待遇|薪水|奖金)(高|多少|怎么样|好不好|好吗)|你们?(上班|工作)(累|辛苦)(吗|不)/,
  /\b(joke|weather|restaurant|movie|lottery|stock price|exchange rate|sing|poem|your name|how old are you|train ticket|flight ticket|post office|postage|(sell|buy) stamps)\b/,
];

/** words that make a message the hall's business even when it also chats (天气太热了，发票怎么开) */
export const HALL_BUSINESS = /税|发票|开票|专票|普票|社保|医保|申报|登记|注销|证明|缴费|汇算|扣除|执照|fapiao|invoice|tax|social insurance|certificate/;
