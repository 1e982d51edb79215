/**
 * The consumer wrappers' checks, with Powertools' DynamoDB persistence on a mocked client.
 * Duplicate deliveries against a real table are in consumer.int.test.ts.
 */
import { describe, it, expect, beforeEach, jest } from '@jest/globals';
import { DeleteItemCommand, DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { lambdaContext, stubClient } from '@lifeboat/testing';
import { createEvent, type DomainEvent } from '../src/envelope.js';
import { EventValidationError } from '../src/schemas.js';
import { awsEventConsumer, lifeboatEventConsumer } from '../src/consumer.js';
import { delivered, drsLaunchResult } from './support/envelopes.js';

const dynamoMock = stubClient(DynamoDBClient);
const dynamoDbClient = new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const options = { idempotencyTable: 'lifeboat-verification-idempotency-test', eventTypes: ['ServerLaunched'], dynamoDbClient };
const FUNCTION = 'lifeboat-verification-test-onServerLaunched';

const serverLaunched = (): DomainEvent =>
  createEvent(
    'ServerLaunched',
    { executionId: 'ex-1', waveId: 'w-1', sourceServerId: 's-0123456789abcdef0', accountId: '123456789012', region: 'us-east-1', jobId: 'drsjob-0123456789abcdef0' },
    { correlationId: 'ex-1', actor: { type: 'system', id: 'execution' } },
  );

type Handle = (event: DomainEvent) => Promise<void>;

beforeEach(() => {
  dynamoMock.reset();
  dynamoMock.on(PutItemCommand).resolves({});
  dynamoMock.on(UpdateItemCommand).resolves({});
  dynamoMock.on(DeleteItemCommand).resolves({});
});

describe('lifeboatEventConsumer', () => {
  it('records the event as in progress, calls the handler, then records it as completed', async () => {
    const handle = jest.fn<Handle>(async () => undefined);
    const event = serverLaunched();

    const result = await lifeboatEventConsumer(options, handle)(delivered(event), lambdaContext(FUNCTION));

    expect(result).toEqual({ eventId: event.metadata.eventId });
    expect(handle).toHaveBeenCalledTimes(1);
    const [put] = dynamoMock.commandCalls(PutItemCommand);
    expect(put?.args[0].input.TableName).toBe(options.idempotencyTable);
    expect(put?.args[0].input.Item?.id?.S).toMatch(new RegExp(`^${FUNCTION}#`));
    expect(put?.args[0].input.Item?.status?.S).toBe('INPROGRESS');
    expect(dynamoMock.commandCalls(UpdateItemCommand)).toHaveLength(1);
    expect(dynamoMock.commandCalls(DeleteItemCommand)).toHaveLength(0);
  });

  it('rejects a detail that does not match its schema: the handler is not called and the record is released', async () => {
    const handle = jest.fn<Handle>(async () => undefined);
    const event = serverLaunched();
    const bad = delivered(event);
    bad.detail = { metadata: event.metadata, data: { ...(event.data as object), jobId: 'not-a-job' } };

    const error = await lifeboatEventConsumer(options, handle)(bad, lambdaContext(FUNCTION)).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(EventValidationError);
    expect((error as EventValidationError).problems).toEqual([expect.objectContaining({ path: '/data/jobId' })]);
    expect(handle).not.toHaveBeenCalled();
    expect(dynamoMock.commandCalls(DeleteItemCommand)).toHaveLength(1);
  });

  it('rejects an event type it does not consume (a mis-wired rule) without calling the handler', async () => {
    const handle = jest.fn<Handle>(async () => undefined);
    const other = createEvent('WaveStarted', { executionId: 'ex-1', waveId: 'w-1', name: 'Web' }, { correlationId: 'ex-1', actor: { type: 'system', id: 'execution' } });

    await expect(lifeboatEventConsumer(options, handle)(delivered(other), lambdaContext(FUNCTION))).rejects.toThrow(/mis-wired/);
    expect(handle).not.toHaveBeenCalled();
  });

  it('rejects a detail without metadata.eventId before touching the table', async () => {
    const handle = jest.fn<Handle>(async () => undefined);
    const event = delivered(serverLaunched());
    const withoutId = { ...event, detail: { ...event.detail, metadata: { ...event.detail.metadata, eventId: undefined as unknown as string } } };

    await expect(lifeboatEventConsumer(options, handle)(withoutId, lambdaContext(FUNCTION))).rejects.toThrow();
    expect(handle).not.toHaveBeenCalled();
    expect(dynamoMock.commandCalls(PutItemCommand)).toHaveLength(0);
  });

  it('lets the handler error through after releasing the record, so EventBridge can retry', async () => {
    const handle = jest.fn<Handle>(async () => {
      throw new Error('downstream unavailable');
    });
    await expect(lifeboatEventConsumer(options, handle)(delivered(serverLaunched()), lambdaContext(FUNCTION))).rejects.toThrow('downstream unavailable');
    expect(dynamoMock.commandCalls(DeleteItemCommand)).toHaveLength(1);
    expect(dynamoMock.commandCalls(UpdateItemCommand)).toHaveLength(0);
  });
});

describe('awsEventConsumer', () => {
  const awsOptions = { ...options, eventTypes: ['DRS Source Server Launch Result'] };

  it('validates the detail of an aws.drs event and keys it on the EventBridge id', async () => {
    const handle = jest.fn(async () => undefined);
    const event = drsLaunchResult({ state: 'RECOVERY_LAUNCH_FAILED', 'job-id': 'drsjob-0123456789abcdef0' }, 'drs-1');

    expect(await awsEventConsumer(awsOptions, handle)(event, lambdaContext(FUNCTION))).toEqual({ eventId: 'drs-1' });
    expect(handle).toHaveBeenCalledTimes(1);

    const bad = drsLaunchResult({ state: 'RECOVERY_LAUNCH_FAILED', 'job-id': 'job-1' });
    await expect(awsEventConsumer(awsOptions, handle)(bad, lambdaContext(FUNCTION))).rejects.toThrow(EventValidationError);
    expect(handle).toHaveBeenCalledTimes(1);
  });

  it('rejects an AWS event of another detail-type', async () => {
    const handle = jest.fn(async () => undefined);
    const event = { ...drsLaunchResult({ state: 'RECOVERY_LAUNCH_SUCCEEDED', 'job-id': 'drsjob-0123456789abcdef0' }), 'detail-type': 'DRS Source Server Data Replication Stalled Change' };
    await expect(awsEventConsumer(awsOptions, handle)(event, lambdaContext(FUNCTION))).rejects.toThrow(/mis-wired/);
    expect(handle).not.toHaveBeenCalled();
  });
});
