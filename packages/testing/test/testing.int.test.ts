import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { PutItemCommand, TransactWriteItemsCommand, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { lambdaContext, mockEventBridge, startServiceDynamoDb, type GatedServiceDynamoDb } from '../src/index.js';

const EXECUTION_YML = fileURLToPath(new URL('../../../services/execution/serverless.yml', import.meta.url));

describe('startServiceDynamoDb', () => {
  let dynamo: GatedServiceDynamoDb;

  beforeAll(async () => {
    dynamo = await startServiceDynamoDb(EXECUTION_YML, { stage: 'selftest', gateTransactions: true });
  });
  afterAll(async () => {
    await dynamo.stop();
  });

  it('creates the tables of the serverless.yml for the stage, named by logical id, and points the SDK at them', () => {
    expect(dynamo.tables).toEqual({
      ExecutionCapacityTable: 'lifeboat-execution-capacity-selftest',
      ExecutionServerClaimsTable: 'lifeboat-execution-server-claims-selftest',
      ExecutionSnapshotsTable: 'lifeboat-execution-snapshots-selftest',
      ExecutionEventsTable: 'lifeboat-execution-events-selftest',
      ExecutionJobsTable: 'lifeboat-execution-jobs-selftest',
      ExecutionsTable: 'lifeboat-execution-executions-selftest',
      ExecutionIdempotencyTable: 'lifeboat-execution-idempotency-selftest',
    });
    expect(dynamo.table('ExecutionJobsTable')).toBe('lifeboat-execution-jobs-selftest');
    expect(() => dynamo.table('NoSuchTable')).toThrow(/declares no table NoSuchTable/);
    expect(process.env.AWS_ENDPOINT_URL_DYNAMODB).toBe(dynamo.endpoint);
    expect(process.env.AWS_REGION).toBe('us-east-1');
  });

  it('answers transactions with DynamoDB’s cancellation reasons, and counts and holds them at the gate', async () => {
    const table = dynamo.table('ExecutionJobsTable');
    const claim = (owner: string) =>
      dynamo.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [{ Put: { TableName: table, Item: { jobId: { S: 'job-1' }, owner: { S: owner } }, ConditionExpression: 'attribute_not_exists(jobId)' } }],
        }),
      );
    const before = { ...dynamo.transactions.stats };
    dynamo.transactions.holdTransactionsUntil(2);

    const results = await Promise.allSettled([claim('a'), claim('b')]);

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const [rejected] = results.filter((r) => r.status === 'rejected');
    expect(rejected?.reason).toBeInstanceOf(TransactionCanceledException);
    expect((rejected?.reason as TransactionCanceledException).CancellationReasons).toEqual([{ Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' }]);
    expect(dynamo.transactions.stats).toEqual({ transactions: before.transactions + 2, cancelled: before.cancelled + 1 });
    // Other requests pass the gate untouched and uncounted.
    await dynamo.client.send(new PutItemCommand({ TableName: table, Item: { jobId: { S: 'job-2' } } }));
    expect(dynamo.transactions.stats.transactions).toBe(before.transactions + 2);
  });
});

describe('mockEventBridge', () => {
  const eventBridge = mockEventBridge();
  const client = new EventBridgeClient({ region: 'us-east-1' });
  const entry = (type: string, n: number) => ({ EventBusName: 'lifeboat-test', Source: 'lifeboat.test', DetailType: type, Detail: JSON.stringify({ metadata: { eventId: `e-${n}` }, data: { n } }) });

  afterAll(() => eventBridge.restore());

  it('records the accepted entries, with their detail parsed', async () => {
    const answer = await client.send(new PutEventsCommand({ Entries: [entry('A', 1), entry('B', 2)] }));

    expect(answer.FailedEntryCount).toBe(0);
    expect(eventBridge.published.map((e) => e.DetailType)).toEqual(['A', 'B']);
    expect(eventBridge.events<{ n: number }>('B').map((e) => [e.entry.DetailType, e.detail.data.n])).toEqual([['B', 2]]);
  });

  it('fails every entry once refused, records nothing, and accepts again after reset', async () => {
    const published = eventBridge.published;
    eventBridge.refuse();
    expect((await client.send(new PutEventsCommand({ Entries: [entry('C', 3)] }))).FailedEntryCount).toBe(1);
    expect(published).toHaveLength(2);

    eventBridge.reset();
    expect(published).toEqual([]);
    await client.send(new PutEventsCommand({ Entries: [entry('D', 4)] }));
    expect(eventBridge.events().map((e) => e.entry.DetailType)).toEqual(['D']);
    expect(eventBridge.published).toBe(published);
  });
});

describe('lambdaContext', () => {
  it('derives the ARN and log group from the function name, and takes overrides', () => {
    const context = lambdaContext('lifeboat-x-test-api');
    expect(context).toMatchObject({ functionName: 'lifeboat-x-test-api', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:lifeboat-x-test-api', logGroupName: '/aws/lambda/lifeboat-x-test-api' });
    expect(context.getRemainingTimeInMillis()).toBe(30_000);
    expect(lambdaContext({ functionName: 'f', memoryLimitInMB: '1024' })).toMatchObject({ functionName: 'f', memoryLimitInMB: '1024' });
    expect(lambdaContext().awsRequestId).not.toBe(lambdaContext().awsRequestId);
  });
});
