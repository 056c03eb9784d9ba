// The store's front door: records, the narrow interfaces, the outbox rules, the backend config and opener.
export * from './records.js';
export type * from './interfaces.js';
export * from './outbox.js';
export * from './config.js';
export { openStore, type StoreContext } from './open.js';
