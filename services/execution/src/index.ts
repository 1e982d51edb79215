export * from './domain/index.js';
export * from './event-store/event-store.js';
export * from './event-store/in-memory.js';
export * from './event-store/dynamodb.js';
export * from './command-handler.js';
export * from './read-models/executions.js';
export { createExecutionApi, toStoredEventView } from './api/operations.js';
export type { ExecutionApiDeps, PlanResolver } from './api/operations.js';
