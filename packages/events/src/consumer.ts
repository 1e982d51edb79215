import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import type { DomainEvent, EventBridgeEnvelope, EventDetail } from './envelope.js';
import { fromEventBridge } from './envelope.js';
import { validateAwsEventDetail, validateEventDetail } from './schemas.js';

export interface ConsumerOptions {
  /** DynamoDB table of Powertools idempotency records (partition key `id`). */
  idempotencyTable: string;
  /** Event types this consumer accepts; anything else is rejected loudly (a mis-wired rule). */
  eventTypes: readonly string[];
  /** How long a processed event is remembered. */
  expiresAfterSeconds?: number;
  dynamoDbClient?: DynamoDBClient;
}

function persistence(options: ConsumerOptions, keyPath: string) {
  return {
    persistenceStore: new DynamoDBPersistenceLayer({ tableName: options.idempotencyTable, awsSdkV3Client: options.dynamoDbClient ?? new DynamoDBClient({}) }),
    config: new IdempotencyConfig({ eventKeyJmesPath: keyPath, expiresAfterSeconds: options.expiresAfterSeconds ?? 24 * 3600, throwOnNoIdempotencyKey: true }),
  };
}

function assertAccepted(options: ConsumerOptions, type: string): void {
  if (!options.eventTypes.includes(type)) throw new Error(`This consumer does not handle ${type}; its rule is mis-wired`);
}

/**
 * Wraps a handler of Lifeboat events: the `detail` is validated against the event's JSON Schema
 * and each event (by metadata.eventId) is handled at most once successfully, however often
 * EventBridge delivers it.
 */
export function lifeboatEventConsumer(
  options: ConsumerOptions,
  handle: (event: DomainEvent, context: Context) => Promise<void>,
) {
  return middy<EventBridgeEnvelope<EventDetail>, void>()
    .use(makeHandlerIdempotent(persistence(options, 'detail.metadata.eventId')))
    .handler(async (event, context) => {
      assertAccepted(options, event['detail-type']);
      validateEventDetail(event['detail-type'], event.detail);
      await handle(fromEventBridge(event), context);
    });
}

/**
 * Wraps a handler of AWS service events (aws.drs): validated against the documented detail
 * shape, idempotent on the EventBridge event id (AWS may deliver the same event twice).
 */
export function awsEventConsumer<TDetail>(
  options: ConsumerOptions,
  handle: (event: EventBridgeEnvelope<TDetail>, context: Context) => Promise<void>,
) {
  return middy<EventBridgeEnvelope<TDetail>, void>()
    .use(makeHandlerIdempotent(persistence(options, 'id')))
    .handler(async (event, context) => {
      assertAccepted(options, event['detail-type']);
      validateAwsEventDetail(event.source, event['detail-type'], event.detail);
      await handle(event, context);
    });
}
