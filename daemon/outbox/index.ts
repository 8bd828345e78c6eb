export * from './outbox.js';
export * from './codec.js';
export type { ClassCounts, OutboxIndex } from './index-state.js';
export * from './config.js';
