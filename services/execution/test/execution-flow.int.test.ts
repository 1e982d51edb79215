/**
 * The execution service's handlers driven in-process, as the deployed functions are: DynamoDB is
 * the local one (dynalite behind the local runtime's proxy), DRS, EventBridge and the planning API
 * (Lambda Invoke) are mocked at the SDK. The test plays the parts around the service: the DynamoDB
 * stream of the events table (read by scanning, so that the test decides when records arrive),
 * the bus, DRS's launch-result events and the verification service.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { Job } from '@aws-sdk/client-drs';
import { DescribeJobsCommand, DrsClient, StartRecoveryCommand } from '@aws-sdk/client-drs';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { DomainEvent, EventBridgeEnvelope, EventDetail } from '@lifeboat/events';
import { newEventId, validateEventDetail } from '@lifeboat/events';
import type { ApiResponse, Caller, ExecutionView, PlanSnapshot, StoredEventView } from '@lifeboat/service-api';
import type { ClientStub, ServiceDynamoDb } from '@lifeboat/testing';
import { lambdaContext, startServiceDynamoDb, stubClient } from '@lifeboat/testing';
import { verifyChain } from '../src/event-store/event-store.js';
import { sid } from './support/decider-spec.js';

const STAGE = 'flow';
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const operator: Caller = { userId: 'sub-olivia', username: 'olivia', roles: ['Operator'] };

const threeWaves: PlanSnapshot = {
  planId: 'plan-3tier',
  version: 2,
  name: 'Three tier app',
  waves: [
    { waveId: 'db', name: 'Databases', dependsOn: [], launchOrder: 'PARALLEL', servers: [1, 2].map((n) => server(n)) },
    { waveId: 'app', name: 'Application', dependsOn: ['db'], launchOrder: 'SEQUENTIAL', servers: [3, 4].map((n) => server(n)) },
    { waveId: 'web', name: 'Web', dependsOn: ['app'], launchOrder: 'PARALLEL', servers: [5, 6].map((n) => server(n, n === 6 ? 'OPTIONAL' : 'CRITICAL')) },
  ],
};

function server(n: number, criticality: 'CRITICAL' | 'OPTIONAL' = 'CRITICAL') {
  return { sourceServerId: sid(n), accountId: ACCOUNT, region: REGION, hostname: `host-${n}`, criticality };
}

let dynamo: ServiceDynamoDb;
let tables: { events: string; jobs: string; executions: string; idempotency: string };
let drsMock: ClientStub;
let busMock: ClientStub;
let lambdaMock: ClientStub;
type Handlers = {
  api: (request: unknown, context?: unknown) => Promise<ApiResponse>;
  streamPublisher: (event: unknown) => Promise<void>;
  processManager: (event: unknown, context: unknown) => Promise<unknown>;
  onDrsLaunchResult: (event: unknown, context: unknown) => Promise<unknown>;
  onVerificationResult: (event: unknown, context: unknown) => Promise<unknown>;
};
let handlers: Handlers;

/** What DRS holds: the jobs StartRecovery created. */
const drsJobs: Job[] = [];
/** Everything published to the bus, in order. */
const published: DomainEvent[] = [];
/** Events the bus (or DRS) has yet to deliver to the service's rules. */
const deliveries: { kind: 'lifeboat' | 'drs'; envelope: EventBridgeEnvelope }[] = [];

beforeAll(async () => {
  dynamo = await startServiceDynamoDb(fileURLToPath(new URL('../serverless.yml', import.meta.url)), { stage: STAGE });
  tables = {
    events: dynamo.table('ExecutionEventsTable'),
    jobs: dynamo.table('ExecutionJobsTable'),
    executions: dynamo.table('ExecutionsTable'),
    idempotency: dynamo.table('ExecutionIdempotencyTable'),
  };
  Object.assign(process.env, {
    EXECUTION_EVENTS_TABLE: tables.events,
    EXECUTION_JOBS_TABLE: tables.jobs,
    EXECUTION_EXECUTIONS_TABLE: tables.executions,
    EXECUTION_IDEMPOTENCY_TABLE: tables.idempotency,
    EXECUTION_SERVER_CLAIMS_TABLE: dynamo.table('ExecutionServerClaimsTable'),
    EXECUTION_CAPACITY_TABLE: dynamo.table('ExecutionCapacityTable'),
    EXECUTION_SNAPSHOTS_TABLE: dynamo.table('ExecutionSnapshotsTable'),
    EVENT_BUS_NAME: `lifeboat-${STAGE}`,
    LIFEBOAT_STAGE: STAGE,
    PLANNING_API_FUNCTION: `lifeboat-planning-${STAGE}-api`,
  });

  lambdaMock = stubClient(LambdaClient);
  lambdaMock.on(InvokeCommand).callsFake((input) => {
    const request = JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array)) as { operation: string; input: { planId: string }; caller: Caller };
    expect(input.FunctionName).toBe(`lifeboat-planning-${STAGE}-api`);
    expect(request).toMatchObject({ operation: 'resolveRecoveryPlan', input: { planId: 'plan-3tier' }, caller: operator });
    return { StatusCode: 200, Payload: new TextEncoder().encode(JSON.stringify({ ok: true, result: threeWaves })) as never };
  });

  // The account the functions run in: its DRS is called with their own credentials.
  stubClient(STSClient).on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:role/execution`, UserId: 'AROAEXAMPLE' });
  drsMock = stubClient(DrsClient);
  drsMock.on(StartRecoveryCommand).callsFake((input) => {
    const job: Job = {
      jobID: `drsjob-${(drsJobs.length + 1).toString(16).padStart(17, '0')}`,
      type: 'LAUNCH',
      initiatedBy: input.isDrill ? 'START_DRILL' : 'START_RECOVERY',
      creationDateTime: new Date().toISOString(),
      status: 'STARTED',
      tags: input.tags,
      participatingServers: (input.sourceServers ?? []).map((s) => ({ sourceServerID: s.sourceServerID, recoveryInstanceID: `i-${s.sourceServerID?.slice(2)}`, launchStatus: 'LAUNCHED' })),
    };
    drsJobs.push(job);
    // DRS announces each server's launch on the default bus.
    for (const s of job.participatingServers ?? []) {
      deliveries.push({
        kind: 'drs',
        envelope: {
          version: '0', id: newEventId(), 'detail-type': 'DRS Source Server Launch Result', source: 'aws.drs', account: ACCOUNT, time: new Date().toISOString(), region: REGION,
          resources: [`arn:aws:drs:${REGION}:${ACCOUNT}:source-server/${s.sourceServerID}`],
          detail: { state: 'RECOVERY_LAUNCH_SUCCEEDED', 'job-id': job.jobID, 'is-drill': input.isDrill ? 'TRUE' : 'FALSE' },
        },
      });
    }
    return { job };
  });
  drsMock.on(DescribeJobsCommand).callsFake((input) => {
    const ids = input.filters?.jobIDs;
    const from = input.filters?.fromDate;
    return { items: drsJobs.filter((j) => (ids ? ids.includes(j.jobID ?? '') : true) && (from ? (j.creationDateTime ?? '') >= from : true)) };
  });

  busMock = stubClient(EventBridgeClient);
  busMock.on(PutEventsCommand).callsFake((input) => {
    for (const entry of input.Entries ?? []) {
      expect(entry.EventBusName).toBe(`lifeboat-${STAGE}`);
      expect(entry.Source).toBe('lifeboat.execution');
      const detail = JSON.parse(entry.Detail ?? '{}') as EventDetail;
      published.push({ type: entry.DetailType ?? '', metadata: detail.metadata, data: detail.data });
      deliveries.push({
        kind: 'lifeboat',
        envelope: { version: '0', id: newEventId(), 'detail-type': entry.DetailType ?? '', source: entry.Source ?? '', account: ACCOUNT, time: detail.metadata.occurredAt, region: REGION, resources: [], detail },
      });
    }
    return { FailedEntryCount: 0, Entries: (input.Entries ?? []).map(() => ({ EventId: newEventId() })) };
  });

  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);

  handlers = {
    api: (await import('../src/handlers/api.js')).handler as Handlers['api'],
    streamPublisher: (await import('../src/handlers/stream-publisher.js')).handler as Handlers['streamPublisher'],
    processManager: (await import('../src/handlers/process-manager.js')).handler as Handlers['processManager'],
    onDrsLaunchResult: (await import('../src/handlers/on-drs-launch-result.js')).handler as Handlers['onDrsLaunchResult'],
    onVerificationResult: (await import('../src/handlers/on-verification-result.js')).handler as Handlers['onVerificationResult'],
  };
});

afterAll(async () => {
  drsMock.restore();
  busMock.restore();
  lambdaMock.restore();
  await dynamo.stop();
});

// ---------------------------------------------------------------- the parts the test plays

const streamed = new Set<string>();

/** The events table's DynamoDB stream: every commit not yet delivered, as INSERT records. */
async function pumpStream(): Promise<number> {
  const items: Record<string, AttributeValue>[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamo.client.send(new ScanCommand({ TableName: tables.events, ConsistentRead: true, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  const fresh = items.filter((item) => !streamed.has(`${item.streamId?.S}#${item.version?.N}`)).sort((a, b) => Number(a.version?.N) - Number(b.version?.N));
  if (fresh.length === 0) return 0;
  await handlers.streamPublisher({
    Records: fresh.map((item, i) => ({ eventName: 'INSERT', dynamodb: { Keys: { streamId: item.streamId, version: item.version }, NewImage: item, SequenceNumber: String(streamed.size + i) } })),
  });
  for (const item of fresh) streamed.add(`${item.streamId?.S}#${item.version?.N}`);
  return fresh.length;
}

const launchRequestDeliveries: string[] = [];

/** The bus's rules and the verification service: delivers what is pending, the stream after each. */
async function deliverAll(): Promise<void> {
  for (let round = 0; round < 500; round++) {
    await pumpStream();
    const next = deliveries.shift();
    if (!next) return;
    const { envelope } = next;
    if (next.kind === 'drs') {
      // The queue hands the function up to 10 launch results at once.
      const batch = [envelope];
      while (batch.length < 10 && deliveries[0]?.kind === 'drs') batch.push((deliveries.shift() as (typeof deliveries)[number]).envelope);
      const records = batch.map((e) => ({ messageId: newEventId(), receiptHandle: 'r', body: JSON.stringify(e), attributes: {}, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:q', awsRegion: REGION }));
      const response = await handlers.onDrsLaunchResult({ Records: records }, lambdaContext(`lifeboat-execution-${STAGE}-onDrsLaunchResult`));
      expect(response).toEqual({ batchItemFailures: [] });
      continue;
    }
    const detail = envelope.detail as EventDetail<Record<string, unknown>>;
    switch (envelope['detail-type']) {
      case 'ServerLaunchRequested': {
        const context = lambdaContext(`lifeboat-execution-${STAGE}-processManager`);
        await handlers.processManager(envelope, context);
        // At-least-once delivery: the same event again, as a new delivery.
        await handlers.processManager({ ...envelope, id: newEventId() }, context);
        launchRequestDeliveries.push(String(detail.data.batchId));
        break;
      }
      case 'ServerLaunched': {
        // The verification service checks the recovered instance and reports.
        const data = detail.data;
        const verified: EventDetail = {
          metadata: { eventId: newEventId(), schemaVersion: 1, occurredAt: new Date().toISOString(), correlationId: String(data.executionId), causationId: detail.metadata.eventId, actor: { type: 'service', id: 'lifeboat-verification' } },
          data: {
            executionId: data.executionId, waveId: data.waveId, sourceServerId: data.sourceServerId, accountId: data.accountId, region: data.region,
            recoveryInstanceId: data.recoveryInstanceId, ec2InstanceId: `i-0ec2${String(data.sourceServerId).slice(-8)}`,
            checks: [{ name: 'ec2-status-checks', status: 'PASSED', durationMs: 1500 }],
          },
        };
        validateEventDetail('ServerVerified', verified);
        const delivery = { ...envelope, id: newEventId(), source: 'lifeboat.verification', 'detail-type': 'ServerVerified', detail: verified };
        await handlers.onVerificationResult(delivery, lambdaContext(`lifeboat-execution-${STAGE}-onVerificationResult`));
        break;
      }
      default:
        break;
    }
  }
  throw new Error('the flow did not settle');
}

async function api<T>(operation: string, input: unknown, caller: Caller = operator): Promise<T> {
  const response = await handlers.api({ operation, input, caller });
  if (!response.ok) throw new Error(`${operation} failed: ${JSON.stringify(response.error)}`);
  return response.result as T;
}

// ---------------------------------------------------------------- the flow

describe('a drill of a three-wave plan, end to end through the handlers', () => {
  let executionId: string;

  it('runs to ExecutionCompleted, wave after wave, launching each batch exactly once', async () => {
    const started = await api<ExecutionView>('startExecution', { planId: 'plan-3tier', mode: 'DRILL' });
    executionId = started.executionId;
    expect(started).toMatchObject({ status: 'RUNNING', mode: 'DRILL', planName: 'Three tier app', startedBy: 'olivia' });

    await deliverAll();

    const types = published.map((e) => e.type);
    expect(types.at(-1)).toBe('ExecutionCompleted');
    const waveEvents = published.filter((e) => e.type === 'WaveStarted' || e.type === 'WaveCompleted').map((e) => `${e.type}:${(e.data as { waveId: string }).waveId}`);
    expect(waveEvents).toEqual(['WaveStarted:db', 'WaveCompleted:db', 'WaveStarted:app', 'WaveCompleted:app', 'WaveStarted:web', 'WaveCompleted:web']);

    // db: one job of 2; app (SEQUENTIAL): one job per server, in boot order; web: one job of 2.
    const starts = drsMock.commandCalls(StartRecoveryCommand).map((c) => c.args[0].input);
    expect(starts.map((s) => [s.tags?.['lifeboat:batch-id'], s.sourceServers?.map((x) => x.sourceServerID)])).toEqual([
      ['db-b1', [sid(1), sid(2)]],
      ['app-b1', [sid(3)]],
      ['app-b2', [sid(4)]],
      ['web-b1', [sid(5), sid(6)]],
    ]);
    expect(starts.every((s) => s.isDrill === true && s.tags?.['lifeboat:execution-id'] === executionId && s.tags?.['lifeboat:stage'] === STAGE)).toBe(true);
    // Every ServerLaunchRequested was delivered twice.
    expect(launchRequestDeliveries).toHaveLength(6);

    // Every published event matches its schema and carries its place in the audit chain.
    for (const event of published) {
      validateEventDetail(event.type, { metadata: event.metadata, data: event.data });
      expect(event.metadata).toMatchObject({ streamId: `execution/${executionId}`, streamVersion: expect.any(Number), hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    }
    expect(new Set(published.map((e) => e.metadata.eventId)).size).toBe(published.length);
  });

  it('answers the finished execution, its events and the list through the api', async () => {
    const view = await api<ExecutionView>('getExecution', { executionId });
    expect(view.status).toBe('COMPLETED');
    expect(view.completedAt).toEqual(expect.any(String));
    expect(view.waves.map((w) => w.status)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED']);
    expect(view.waves.flatMap((w) => w.servers.map((s) => s.status))).toEqual(Array(6).fill('VERIFIED'));
    expect(view.waves[0]?.servers[0]).toMatchObject({ jobId: 'drsjob-00000000000000001', recoveryInstanceId: `i-${sid(1).slice(2)}`, checks: [{ name: 'ec2-status-checks', status: 'PASSED', durationMs: 1500 }] });

    const events = await api<StoredEventView[]>('getExecutionEvents', { executionId });
    expect(events).toHaveLength(view.version);
    expect(events.map((e) => e.streamVersion)).toEqual(events.map((_, i) => i + 1));
    // The bus saw the same events, with the same hashes, in the same order.
    expect(events.map((e) => [e.eventId, e.hash, e.previousHash])).toEqual(published.map((e) => [e.metadata.eventId, e.metadata.hash, e.metadata.previousHash]));

    const { items: list } = await api<{ items: ExecutionView[] }>('listExecutions', {});
    expect(list.map((e) => [e.executionId, e.status, e.version])).toEqual([[executionId, 'COMPLETED', view.version]]);
  });

  it('keeps the list read model idempotent: replaying old stream records does not roll it back', async () => {
    streamed.clear();
    await pumpStream();
    const { items: list } = await api<{ items: ExecutionView[] }>('listExecutions', {});
    expect(list[0]?.status).toBe('COMPLETED');
  });

  it('stores a verifiable hash chain', async () => {
    const { DynamoDbEventStore } = await import('../src/event-store/dynamodb.js');
    const stored = await new DynamoDbEventStore(tables.events, dynamo.client).readStream(`execution/${executionId}`);
    expect(verifyChain(stored)).toEqual({ valid: true });
  });
});
