// Function words that carry no topic: left out of retrieval and coverage.

export const ZH_STOPWORDS = new Set((
  '的 了 吗 呢 啊 吧 呀 嘛 哦 么 我 我们 你 你们 他 她 它 咱 咱们 怎么 怎么办 怎样 如何 什么 哪 哪里 哪儿 哪个 要 需要 可以 能 能不能 ' +
  '可不可以 是 是不是 有 有没有 没有 在 去 来 办 弄 搞 一下 一个 那个 这个 那 这 想 请问 请 还 就 都 也 和 与 及 等 把 被 给 让 对 ' +
  '吧 个 又 再 很 太 会 得 地 着 过 下 上 里 后 前 现在 今天 之前 以后 然后 但是 可是 还是 或者 如果 因为 所以 自己 已经 应该 一直 ' +
  '时候 怎么样 多少 几 能否 是否 不 没 到 从 向 为 多久 啥 咋 为啥 嗯 呃 那边 这边 就是 的话 一点 帮 帮忙 谢谢 你好 您好 您 ' +
  // forms of address and politeness: jieba tags several as nouns, and a noun the KB never uses weighs as much as
  // its rarest word, so "老师您好，请问…" would sink the coverage of the right entry
  '老师 师傅 同志 美女 帅哥 小姐姐 客服 领导 麻烦 打扰 请教 问问 问下 问一下 想问 想问一下 咨询一下 急 着急 在线等 急急急 求助 ' +
  '大概 目前 一般来说 比如 比如说 之类 什么的 等等 不知道 知道 了解 告诉 多谢 感谢 辛苦 ' +
  // dialect and spoken fillers for "how / what is going on"
  '咋整 咋办 咋弄 怎么整 怎么搞 怎么弄 咋样 咋回事 怎么回事 干啥 干嘛 做啥 请帮忙 帮帮我 谢谢您 多长 多长时间 多少天 几天 ' +
  // nouns that set the scene, not the topic: the family member, friend or colleague the customer speaks of, "the
  // thing / the procedure / the way", and place names (jieba tags them nouns, and an unknown noun sinks coverage)
  '父母 妈妈 爸爸 父亲 母亲 我妈 我爸 老公 老婆 丈夫 妻子 爱人 儿子 女儿 孩子 小孩 家人 亲戚 朋友 同事 邻居 东西 事情 事儿 流程 步骤 方法 办法 ' +
  '客户 顾客 买家 卖家 商家 供应商 ' +
  '北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 海南 四川 贵州 云南 陕西 甘肃 青海 ' +
  '内蒙古 广西 西藏 宁夏 新疆 广州 深圳 杭州 南京 苏州 武汉 成都 西安 郑州 长沙 沈阳 大连 青岛 济南 合肥 福州 厦门 昆明 南宁 哈尔滨 长春 ' +
  '石家庄 太原 南昌 贵阳 兰州 无锡 宁波 东莞 佛山 温州 珠海 常州 徐州 烟台 泉州 绍兴 嘉兴 金华 台州 中山 惠州 洛阳 唐山 保定 ' +
  '市区 市里 区里 县里 镇上 本市 本地 我们这 我们这里 你们这 你们那'
).split(/\s+/));

export const EN_STOPWORDS = new Set((
  'a an the i me my we our us you your he she it its they them their is are was were be been being am do does did ' +
  'doing have has had having to of in on at for from by with about as into through after before than then so and or ' +
  'but if not no can could would should will shall may might must how what when where which who whom why this that ' +
  'these those there here just get got any some all also too very up down out over again once please thanks thank hi hello ' +
  'need want like know tell me let still one ' +
  // politeness and framing ("sorry, quick question, I was wondering…"): no topic
  'kindly sir madam excuse sorry wondering wonder asking ask question questions guys urgent quick quickly really actually'
).split(/\s+/));
