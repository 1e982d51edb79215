/**
 * Inputs and results of each service's API operations: the sync contract between the gateway
 * (and other services) and a service's `api` function, one file per service.
 */
export * from './contracts/common.js';
export * from './contracts/catalog.js';
export * from './contracts/planning.js';
export * from './contracts/execution.js';
export * from './contracts/notification.js';
