export * from './command-router.js';
export * from './desired-config.js';
export * from './allow-list.js';
export * from './command-ledger.js';
export * from './config.js';
export * from './command-catalogue.js';
