/**
 * The consumer wrappers against a real (local) DynamoDB: dynalite holds Powertools' idempotency
 * records exactly as the service's `<NAME>_IDEMPOTENCY_TABLE` does in AWS.
 */
import { describe, it, expect, beforeAll, afterAll, jest } from '@jest/globals';
import { CreateTableCommand, ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { lambdaContext, startServiceDynamoDb, type ServiceDynamoDb } from '@lifeboat/testing';
import { createEvent, type DomainEvent, type EventBridgeEnvelope } from '../src/envelope.js';
import { EventValidationError } from '../src/schemas.js';
import { awsEventConsumer, lifeboatEventConsumer } from '../src/consumer.js';
import { delivered, drsLaunchResult, type DrsLaunchResult } from './support/envelopes.js';

let local: ServiceDynamoDb;
let dynamo: DynamoDBClient;
let tableCount = 0;

beforeAll(async () => {
  local = await startServiceDynamoDb();
  dynamo = local.client;
});

afterAll(async () => {
  await local.stop();
});

/** A fresh idempotency table (partition key `id`), as the services declare it. */
async function idempotencyTable(): Promise<string> {
  const name = `lifeboat-test-idempotency-${++tableCount}`;
  await dynamo.send(
    new CreateTableCommand({ TableName: name, AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }),
  );
  return name;
}

async function records(table: string): Promise<{ id: string; status: string }[]> {
  const { Items = [] } = await dynamo.send(new ScanCommand({ TableName: table }));
  return Items.map((item) => ({ id: item.id?.S ?? '', status: item.status?.S ?? '' }));
}

const actor = { type: 'system', id: 'execution' } as const;
const waveStarted = (waveId = 'w-1'): DomainEvent => createEvent('WaveStarted', { executionId: 'ex-1', waveId, name: 'Databases' }, { correlationId: 'ex-1', actor });

type Handle = (event: DomainEvent) => Promise<void>;

describe('lifeboatEventConsumer (idempotent on metadata.eventId)', () => {
  it('hands the domain event to the handler', async () => {
    const handle = jest.fn<Handle>(async () => undefined);
    const consumer = lifeboatEventConsumer({ idempotencyTable: await idempotencyTable(), eventTypes: ['WaveStarted'], dynamoDbClient: dynamo }, handle);
    const event = waveStarted();

    await consumer(delivered(event), lambdaContext('lifeboat-execution-test-onWaveStarted'));

    expect(handle).toHaveBeenCalledTimes(1);
    expect(handle.mock.calls[0]?.[0]).toEqual({ type: 'WaveStarted', data: event.data, metadata: event.metadata });
  });

  it('calls the handler once when the same event is delivered twice', async () => {
    const table = await idempotencyTable();
    const handle = jest.fn<Handle>(async () => undefined);
    const consumer = lifeboatEventConsumer({ idempotencyTable: table, eventTypes: ['WaveStarted'], dynamoDbClient: dynamo }, handle);
    const event = waveStarted();
    const context = lambdaContext('lifeboat-execution-test-onWaveStarted');

    await consumer(delivered(event, 'eb-1'), context);
    await consumer(delivered(event, 'eb-1'), context);
    // Published twice (a publisher retry): another EventBridge id, the same eventId.
    await consumer(delivered(event, 'eb-2'), context);

    expect(handle).toHaveBeenCalledTimes(1);
    expect(await records(table)).toEqual([expect.objectContaining({ status: 'COMPLETED' })]);
  });

  it('handles different events independently', async () => {
    const handle = jest.fn<Handle>(async () => undefined);
    const consumer = lifeboatEventConsumer({ idempotencyTable: await idempotencyTable(), eventTypes: ['WaveStarted'], dynamoDbClient: dynamo }, handle);
    const context = lambdaContext('lifeboat-execution-test-onWaveStarted');

    await consumer(delivered(waveStarted('w-1')), context);
    await consumer(delivered(waveStarted('w-2')), context);

    expect(handle).toHaveBeenCalledTimes(2);
  });

  it('lets a delivery whose handler threw be retried, and then remembers it', async () => {
    const table = await idempotencyTable();
    const handle = jest.fn<Handle>().mockRejectedValueOnce(new Error('DynamoDB throttled')).mockResolvedValue(undefined);
    const consumer = lifeboatEventConsumer({ idempotencyTable: table, eventTypes: ['WaveStarted'], dynamoDbClient: dynamo }, handle);
    const event = waveStarted();
    const context = lambdaContext('lifeboat-execution-test-onWaveStarted');

    await expect(consumer(delivered(event), context)).rejects.toThrow('DynamoDB throttled');
    expect(await records(table)).toEqual([]);
    await consumer(delivered(event), context);
    await consumer(delivered(event), context);

    expect(handle).toHaveBeenCalledTimes(2);
  });

  it('rejects an invalid detail without calling the handler or remembering the event', async () => {
    const table = await idempotencyTable();
    const handle = jest.fn<Handle>(async () => undefined);
    const consumer = lifeboatEventConsumer({ idempotencyTable: table, eventTypes: ['WaveStarted'], dynamoDbClient: dynamo }, handle);
    const event = waveStarted();
    const bad = delivered(event);
    bad.detail = { metadata: event.metadata, data: { executionId: 'ex-1', waveId: 'w-1' } };

    await expect(consumer(bad, lambdaContext('fn'))).rejects.toThrow(EventValidationError);

    expect(handle).not.toHaveBeenCalled();
    expect(await records(table)).toEqual([]);
  });

  it('keeps the events of two functions sharing one table apart', async () => {
    const table = await idempotencyTable();
    const first = jest.fn<Handle>(async () => undefined);
    const second = jest.fn<Handle>(async () => undefined);
    const projector = lifeboatEventConsumer({ idempotencyTable: table, eventTypes: ['WaveStarted'], dynamoDbClient: dynamo }, first);
    const notifier = lifeboatEventConsumer({ idempotencyTable: table, eventTypes: ['WaveStarted'], dynamoDbClient: dynamo }, second);
    const event = waveStarted();

    // Locally every function runs in one process, so only the context tells them apart.
    await projector(delivered(event), lambdaContext('lifeboat-execution-local-project'));
    await notifier(delivered(event), lambdaContext('lifeboat-execution-local-notify'));
    await notifier(delivered(event), lambdaContext('lifeboat-execution-local-notify'));

    expect(first).toHaveBeenCalledTimes(1);
    expect(second).toHaveBeenCalledTimes(1);
    expect((await records(table)).map((r) => r.id.split('#')[0]).sort()).toEqual(['lifeboat-execution-local-notify', 'lifeboat-execution-local-project']);
  });
});

describe('awsEventConsumer (idempotent on the EventBridge id)', () => {
  type AwsHandle = (event: EventBridgeEnvelope<DrsLaunchResult>) => Promise<void>;

  it('calls the handler once per EventBridge id', async () => {
    const handle = jest.fn<AwsHandle>(async () => undefined);
    const consumer = awsEventConsumer<DrsLaunchResult>({ idempotencyTable: await idempotencyTable(), eventTypes: ['DRS Source Server Launch Result'], dynamoDbClient: dynamo }, handle);
    const context = lambdaContext('lifeboat-execution-test-onDrsLaunchResult');
    const result = drsLaunchResult({ state: 'RECOVERY_LAUNCH_SUCCEEDED', 'job-id': 'drsjob-0123456789abcdef0', 'is-drill': 'TRUE' }, 'drs-event-1');

    await consumer(result, context);
    await consumer(result, context);
    await consumer({ ...result, id: 'drs-event-2' }, context);

    expect(handle).toHaveBeenCalledTimes(2);
    expect(handle.mock.calls[0]?.[0]).toEqual(result);
  });

  it('rejects a detail that does not match the documented shape', async () => {
    const handle = jest.fn<AwsHandle>(async () => undefined);
    const consumer = awsEventConsumer<DrsLaunchResult>({ idempotencyTable: await idempotencyTable(), eventTypes: ['DRS Source Server Launch Result'], dynamoDbClient: dynamo }, handle);

    await expect(consumer(drsLaunchResult({ state: 'LAUNCHED_MAYBE', 'job-id': 'drsjob-0123456789abcdef0' }), lambdaContext('fn'))).rejects.toThrow(EventValidationError);

    expect(handle).not.toHaveBeenCalled();
  });
});
