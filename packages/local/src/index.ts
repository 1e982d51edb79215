export { startLocalStack, repositoryRoot, LOCAL_SETTINGS, LOCAL_CLIENT_ID, LOCAL_ISSUER } from './stack.js';
export type { LocalStack, LocalStackOptions } from './stack.js';
export { startLocalDynamoDb } from './dynamodb/index.js';
export { LocalEventBus } from './eventbridge/bus.js';
export type { BusEvent, BusRule } from './eventbridge/bus.js';
export { matchesEventPattern, validateEventPattern, compileEventPattern } from './eventbridge/event-pattern.js';
export { loadProject } from './serverless/project.js';
export { LocalIdentityProvider } from './identity/provider.js';
export { DEMO_PLAN_NAME } from './demo-seed.js';
