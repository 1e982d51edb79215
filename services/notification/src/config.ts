import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { requiredEnv } from '@lifeboat/service-api';
import { DynamoDbExecutionContexts } from './adapters/dynamodb-execution-contexts.js';
import { DynamoDbOutbox } from './adapters/dynamodb-outbox.js';

function positiveInteger(name: string): number {
  const text = requiredEnv(name);
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`Environment variable ${name} must be a positive integer, not "${text}"`);
  return value;
}

let documents: DynamoDBDocumentClient | undefined;
const documentClient = () => (documents ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }));

let outbox: DynamoDbOutbox | undefined;
let contexts: DynamoDbExecutionContexts | undefined;

/** NOTIFICATION_OUTBOX_TABLE, kept NOTIFICATION_RETENTION_DAYS days. Read once, on first use. */
export function outboxStore(): DynamoDbOutbox {
  return (outbox ??= new DynamoDbOutbox(documentClient(), requiredEnv('NOTIFICATION_OUTBOX_TABLE'), positiveInteger('NOTIFICATION_RETENTION_DAYS')));
}

/** NOTIFICATION_EXECUTIONS_TABLE, kept NOTIFICATION_RETENTION_DAYS days. Read once, on first use. */
export function executionContexts(): DynamoDbExecutionContexts {
  return (contexts ??= new DynamoDbExecutionContexts(documentClient(), requiredEnv('NOTIFICATION_EXECUTIONS_TABLE'), positiveInteger('NOTIFICATION_RETENTION_DAYS')));
}
