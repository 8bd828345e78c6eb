// The built-in tax-domain lexicon, one file per kind of data. Operators extend it through the KB file
// (synonyms, business_keywords). Intents (escalation, small talk, off-topic chat) are in ../intents.ts.
export { TAX_SYNONYMS, mergeTables } from './synonyms-zh.js';
export { EN_SYNONYMS } from './synonyms-en.js';
export { ASKED_FACETS, EN_ASKED_FACETS, EN_OTHER_TERMS, EN_TAX_TYPES, EN_TOPIC_ZH, OTHER_DEPARTMENT_QUEUE, OTHER_DEPARTMENT_TERMS, TAX_TYPES } from './topics.js';
export { TAX_WORDS } from './tax-words.js';
export { TAX_BUSINESS_KEYWORDS } from './business-keywords.js';
export { EN_STOPWORDS, ZH_STOPWORDS } from './stopwords.js';
