export * from './errors.js';
export * from './roles.js';
export * from './protocol.js';
export * from './client.js';
export * from './env.js';
export * from './contracts.js';
export * from './claim-check.js';
