export * from './envelope.js';
export * from './schemas.js';
export * from './publisher.js';
export * from './consumer.js';
export * from './claim-check.js';
export * from './event-data.js';
