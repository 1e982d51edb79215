import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import type { ClaimCheckResolver } from './claim-check.js';
import { resolveClaimCheck } from './claim-check.js';
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
  /**
   * Reads the full event of a claim-checked one from its stream (`executionEventResolver` of
   * @lifeboat/service-api). Without it, a claim-checked event fails (retried, then dead-lettered):
   * never handled with empty data nor dropped.
   */
  resolveClaimCheck?: ClaimCheckResolver;
}

/**
 * What a consumer returns: the id of the event it handled. It must not be `undefined`: Powertools'
 * middleware answers a repeated delivery by returning the stored result early, and middy treats an
 * `undefined` early result as "go on", which would run the handler again.
 */
export interface ConsumerResult {
  eventId: string;
}

function persistence(options: ConsumerOptions, keyPath: string): { persistenceStore: DynamoDBPersistenceLayer; config: IdempotencyConfig; keyPrefix?: string } {
  return {
    persistenceStore: new DynamoDBPersistenceLayer({ tableName: options.idempotencyTable, awsSdkV3Client: options.dynamoDbClient ?? new DynamoDBClient({}) }),
    config: new IdempotencyConfig({ eventKeyJmesPath: keyPath, expiresAfterSeconds: options.expiresAfterSeconds ?? 24 * 3600, throwOnNoIdempotencyKey: true }),
  };
}

/**
 * Prefixes idempotency keys with the invoked function's name (the Lambda context's), not with the
 * AWS_LAMBDA_FUNCTION_NAME read at module load: the same in AWS, and locally, where every function
 * runs in one process, two functions consuming one event from one table stay apart.
 * (makeHandlerIdempotent reads `keyPrefix` from its options on every invocation;
 * test/consumer.int.test.ts covers it.)
 */
function keyByFunctionName(idempotency: { keyPrefix?: string }) {
  return (request: { context: Context }): void => {
    if (request.context?.functionName) idempotency.keyPrefix = request.context.functionName;
  };
}

function assertAccepted(options: ConsumerOptions, type: string): void {
  if (!options.eventTypes.includes(type)) throw new Error(`This consumer does not handle ${type}; its rule is mis-wired`);
}

/**
 * Wraps a handler of Lifeboat events: the `detail` is validated against the event's JSON Schema
 * and each event (by metadata.eventId) is handled at most once successfully, however often
 * EventBridge delivers it. A claim-checked event is handled as its full event, read with
 * `resolveClaimCheck` and validated against its type's schema.
 */
export function lifeboatEventConsumer(
  options: ConsumerOptions,
  handle: (event: DomainEvent, context: Context) => Promise<void>,
) {
  const idempotency = persistence(options, 'detail.metadata.eventId');
  return middy<EventBridgeEnvelope<EventDetail>, ConsumerResult>()
    .before(keyByFunctionName(idempotency))
    .use(makeHandlerIdempotent(idempotency))
    .handler(async (event, context) => {
      assertAccepted(options, event['detail-type']);
      validateEventDetail(event['detail-type'], event.detail);
      await handle(await resolveClaimCheck(fromEventBridge(event), options.resolveClaimCheck), context);
      return { eventId: event.detail.metadata.eventId };
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
  const idempotency = persistence(options, 'id');
  return middy<EventBridgeEnvelope<TDetail>, ConsumerResult>()
    .before(keyByFunctionName(idempotency))
    .use(makeHandlerIdempotent(idempotency))
    .handler(async (event, context) => {
      assertAccepted(options, event['detail-type']);
      validateAwsEventDetail(event.source, event['detail-type'], event.detail);
      await handle(event, context);
      return { eventId: event.id };
    });
}
