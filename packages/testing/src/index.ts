export { startServiceDynamoDb } from './dynamodb.js';
export type { ServiceDynamoDb, GatedServiceDynamoDb, ServiceDynamoDbOptions, TransactionGate } from './dynamodb.js';
export { stubClient } from './sdk-mock.js';
export type { Answer, ClientStub, CommandCall, CommandClass, CommandStub } from './sdk-mock.js';
export { mockEventBridge } from './event-bridge.js';
export type { EventBridgeMock, PublishedEvent } from './event-bridge.js';
export { lambdaContext } from './lambda.js';
export { validationProblemsOf } from './validation.js';
