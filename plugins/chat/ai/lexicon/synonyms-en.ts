// English synonyms, folded in English questions and in the KB's English gloss alike.

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
