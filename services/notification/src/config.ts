import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { requiredEnv } from '@lifeboat/service-api';
import { DynamoDbChannels } from './adapters/dynamodb-channels.js';
import { DynamoDbDeliveries } from './adapters/dynamodb-deliveries.js';
import { DynamoDbExecutionContexts } from './adapters/dynamodb-execution-contexts.js';
import { DynamoDbOutbox } from './adapters/dynamodb-outbox.js';
import { SsmSecretStore, TableSecretStore } from './adapters/secret-stores.js';
import { SnsTopics } from './adapters/sns-topics.js';
import type { SecretStore } from './channels.js';
import type { DeliveryDependencies } from './delivery-service.js';
import type { RetryPolicy } from './domain/retry-policy.js';
import { DEFAULT_RETRY_POLICY } from './domain/retry-policy.js';
import { ChannelSender } from './sender.js';
import type { Topics } from './topics.js';

function positiveInteger(name: string, fallback?: number): number {
  const text = process.env[name];
  if ((text === undefined || text === '') && fallback !== undefined) return fallback;
  const value = Number(requiredEnv(name));
  if (!Number.isInteger(value) || value <= 0) throw new Error(`Environment variable ${name} must be a positive integer, not "${text}"`);
  return value;
}

function oneOf<T extends string>(name: string, values: readonly T[], fallback: T): T {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  if (!(values as readonly string[]).includes(text)) throw new Error(`Environment variable ${name} must be one of ${values.join(', ')}, not "${text}"`);
  return text as T;
}

let documents: DynamoDBDocumentClient | undefined;
const documentClient = () => (documents ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }));

let outbox: DynamoDbOutbox | undefined;
let contexts: DynamoDbExecutionContexts | undefined;
let channels: DynamoDbChannels | undefined;
let deliveries: DynamoDbDeliveries | undefined;
let secrets: SecretStore | undefined;
let topics: Topics | null | undefined;

/** NOTIFICATION_OUTBOX_TABLE, kept NOTIFICATION_RETENTION_DAYS days. Read once, on first use. */
export function outboxStore(): DynamoDbOutbox {
  return (outbox ??= new DynamoDbOutbox(documentClient(), requiredEnv('NOTIFICATION_OUTBOX_TABLE'), positiveInteger('NOTIFICATION_RETENTION_DAYS')));
}

/** NOTIFICATION_EXECUTIONS_TABLE, kept NOTIFICATION_RETENTION_DAYS days. Read once, on first use. */
export function executionContexts(): DynamoDbExecutionContexts {
  return (contexts ??= new DynamoDbExecutionContexts(documentClient(), requiredEnv('NOTIFICATION_EXECUTIONS_TABLE'), positiveInteger('NOTIFICATION_RETENTION_DAYS')));
}

/** NOTIFICATION_CHANNELS_TABLE and NOTIFICATION_SUBSCRIPTIONS_TABLE. */
export function channelStore(): DynamoDbChannels {
  return (channels ??= new DynamoDbChannels(documentClient(), requiredEnv('NOTIFICATION_CHANNELS_TABLE'), requiredEnv('NOTIFICATION_SUBSCRIPTIONS_TABLE')));
}

/** NOTIFICATION_DELIVERIES_TABLE, kept NOTIFICATION_RETENTION_DAYS days. */
export function deliveryStore(): DynamoDbDeliveries {
  return (deliveries ??= new DynamoDbDeliveries(documentClient(), requiredEnv('NOTIFICATION_DELIVERIES_TABLE'), positiveInteger('NOTIFICATION_RETENTION_DAYS')));
}

/** NOTIFICATION_SECRET_STORE: `ssm` (default; Parameter Store SecureString) or `table` (the local runtime, which has no Parameter Store). */
export function secretStore(): SecretStore {
  if (secrets) return secrets;
  const kind = oneOf('NOTIFICATION_SECRET_STORE', ['ssm', 'table'] as const, 'ssm');
  secrets = kind === 'ssm' ? new SsmSecretStore(new SSMClient({}), requiredEnv('LIFEBOAT_STAGE')) : new TableSecretStore(documentClient(), requiredEnv('NOTIFICATION_CHANNELS_TABLE'));
  return secrets;
}

/** NOTIFICATION_TOPIC_DELIVERY: `sns` (default) publishes; `outbox` (the local runtime, no SNS) keeps SNS and e-mail messages in the outbox. */
export function topicClient(): Topics | undefined {
  if (topics === undefined) topics = oneOf('NOTIFICATION_TOPIC_DELIVERY', ['sns', 'outbox'] as const, 'sns') === 'sns' ? new SnsTopics() : null;
  return topics ?? undefined;
}

/** NOTIFICATION_MAX_ATTEMPTS (default 5), NOTIFICATION_RETRY_BASE_MS (default 30000), NOTIFICATION_RETRY_MAX_DELAY_MS (default 3600000). */
export function retryPolicy(): RetryPolicy {
  return {
    maxAttempts: positiveInteger('NOTIFICATION_MAX_ATTEMPTS', DEFAULT_RETRY_POLICY.maxAttempts),
    baseMs: positiveInteger('NOTIFICATION_RETRY_BASE_MS', DEFAULT_RETRY_POLICY.baseMs),
    maxDelayMs: positiveInteger('NOTIFICATION_RETRY_MAX_DELAY_MS', DEFAULT_RETRY_POLICY.maxDelayMs),
  };
}

/** NOTIFICATION_CONSOLE_URL: the web console, for links in messages (none when unset). */
export function consoleUrl(): string | undefined {
  const url = process.env.NOTIFICATION_CONSOLE_URL;
  return url ? url : undefined;
}

/** What an attempt needs; NOTIFICATION_WEBHOOK_TIMEOUT_MS (default 10000) bounds each HTTP call. */
export function deliveryDependencies(): DeliveryDependencies {
  const timeoutMs = positiveInteger('NOTIFICATION_WEBHOOK_TIMEOUT_MS', 10_000);
  return {
    deliveries: deliveryStore(),
    channels: channelStore(),
    secrets: secretStore(),
    sender: new ChannelSender({ topics: topicClient(), emailTopicArn: process.env.NOTIFICATION_EMAIL_TOPIC_ARN || undefined, timeoutMs }),
    policy: retryPolicy(),
    leaseMs: timeoutMs + 30_000,
  };
}
