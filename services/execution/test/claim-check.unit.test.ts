/**
 * Issue 9: the ExecutionStarted of a 4,000-server plan (its plan snapshot far over EventBridge's
 * 256 KB per entry) goes from the store through the stream publisher and the bus (mocked at the
 * SDK) to a consumer, which hands its handler the full event read back through the execution API
 * (getExecutionEvents), as other services' consumers do; the service's own consumers read it from
 * the store (storedEventResolver). No network, no disk: in-memory store, mocked DynamoDB and bus.
 */
import { afterAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { marshall } from '@aws-sdk/util-dynamodb';
import { DeleteItemCommand, DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { DomainEvent, EventBridgeEnvelope, EventDetail } from '@lifeboat/events';
import { EventPublisher, MAX_BYTES_PER_PUT, claimChecked, entrySize, lifeboatEventConsumer, resolveClaimCheck } from '@lifeboat/events';
import type { ApiRequest, Caller, ExecutionView, PlanSnapshot, ServiceApiCaller } from '@lifeboat/service-api';
import { DEFAULT_VERIFICATION, createApiHandler, executionEventResolver, fromErrorBody, serviceReader } from '@lifeboat/service-api';
import { lambdaContext, mockEventBridge, stubClient } from '@lifeboat/testing';
import { streamIdOf } from '../src/command-handler.js';
import { createExecutionApi } from '../src/api/operations.js';
import { InMemoryServerClaims } from '../src/claims/store.js';
import type { CommitItem } from '../src/event-store/dynamodb.js';
import type { StoredEvent } from '../src/event-store/event-store.js';
import { toPublishedEvent } from '../src/event-store/event-store.js';
import { InMemoryEventStore } from '../src/event-store/in-memory.js';
import { storedEventResolver } from '../src/publishing/claim-check.js';
import { publishCommits } from '../src/publishing/stream-publisher.js';
import type { EventsTableStreamEvent } from '../src/publishing/stream-publisher.js';
import { InMemoryExecutionList } from '../src/read-models/executions.js';
import { sid } from './support/decider-spec.js';

const SERVERS = 4_000;
const operator: Caller = { userId: 'sub-op', username: 'olivia', roles: ['Operator'] };

/** A data-centre exit: 4,000 servers in four waves of 1,000, every tenth with its own verification settings. */
const bigPlan: PlanSnapshot = {
  planId: 'plan-dc-exit',
  version: 7,
  name: 'Data centre exit',
  waves: [0, 1, 2, 3].map((w) => ({
    waveId: `wave-${w}`,
    name: `Wave ${w}`,
    dependsOn: w === 0 ? [] : [`wave-${w - 1}`],
    launchOrder: 'PARALLEL' as const,
    servers: Array.from({ length: SERVERS / 4 }, (_, i) => {
      const n = w * (SERVERS / 4) + i + 1;
      return {
        sourceServerId: sid(n),
        accountId: '123456789012',
        region: 'us-east-1',
        hostname: `app-${n}.dc1.corp.example.com`,
        criticality: (n % 7 === 0 ? 'OPTIONAL' : 'CRITICAL') as 'OPTIONAL' | 'CRITICAL',
        protectionGroupId: `pg-${n % 50}`,
        ...(n % 10 === 0 ? { verification: { ...DEFAULT_VERIFICATION, probes: [{ type: 'TCP' as const, port: 443 }] } } : {}),
      };
    }),
  })),
};

/** A stream record as DynamoDB Streams delivers a commit item (as in stream-publisher.unit.test.ts). */
function inserted(stored: StoredEvent[]): EventsTableStreamEvent {
  const last = stored.at(-1)!;
  const item: CommitItem = { streamId: last.streamId, version: stored[0]!.version, lastVersion: last.version, lastHash: last.hash, eventTypes: stored.map((e) => e.type), committedAt: '2025-01-01T00:00:00.000Z', events: JSON.stringify(stored) };
  const image = marshall(item);
  return { Records: [{ eventName: 'INSERT', dynamodb: { Keys: { streamId: image.streamId, version: image.version }, NewImage: image, SequenceNumber: '1' } }] };
}

/** What an EventBridge rule hands to the Lambda for a PutEvents entry. */
function delivered(entry: { Source?: string; DetailType?: string; Detail?: string; Resources?: string[] }): EventBridgeEnvelope<EventDetail> {
  return {
    version: '0',
    id: 'eb-1',
    'detail-type': entry.DetailType ?? '',
    source: entry.Source ?? '',
    account: '123456789012',
    time: '2025-01-01T00:00:00Z',
    region: 'us-east-1',
    resources: entry.Resources ?? [],
    detail: JSON.parse(entry.Detail ?? '{}') as EventDetail,
  };
}

const bus = mockEventBridge();
const dynamoMock = stubClient(DynamoDBClient);
const dynamoDbClient = new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });

let store: InMemoryEventStore;
let executions: InMemoryExecutionList;
let api: ReturnType<typeof createApiHandler>;
/** The execution API as another service calls it (ServiceApiClient over Lambda Invoke), in-process. */
let executionApi: ServiceApiCaller & { requests: ApiRequest[] };

beforeEach(() => {
  bus.reset();
  dynamoMock.reset();
  dynamoMock.on(PutItemCommand).resolves({});
  dynamoMock.on(UpdateItemCommand).resolves({});
  dynamoMock.on(DeleteItemCommand).resolves({});
  store = new InMemoryEventStore();
  executions = new InMemoryExecutionList();
  api = createApiHandler(createExecutionApi({ store, executions, resolvePlan: async () => bigPlan, clock: () => new Date('2025-01-01T00:00:00.000Z'), claims: new InMemoryServerClaims() }), () => undefined);
  const requests: ApiRequest[] = [];
  executionApi = {
    requests,
    async call<T>(operation: string, input: unknown, caller: Caller): Promise<T> {
      requests.push({ operation, input, caller });
      const response = await api({ operation, input, caller });
      if (!response.ok) throw fromErrorBody(response.error);
      return response.result as T;
    },
  };
});

afterAll(() => bus.restore());

async function startBigDrill(): Promise<{ executionId: string; stored: StoredEvent[] }> {
  const view = await executionApi.call<ExecutionView>('startExecution', { planId: bigPlan.planId, planVersion: bigPlan.version, mode: 'DRILL' }, operator);
  return { executionId: view.executionId, stored: await store.readStream(streamIdOf(view.executionId)) };
}

describe('a 4,000-server ExecutionStarted: publish -> consumer -> handler', () => {
  it('is published claim-checked by the stream publisher, and a consumer handles it with its full plan snapshot', async () => {
    // given a DRILL of a 4,000-server plan started: its first commit is in the store
    const { executionId, stored } = await startBigDrill();
    const [started] = stored;
    expect(started?.type).toBe('ExecutionStarted');
    const fullEntrySize = entrySize({ Source: 'lifeboat.execution', DetailType: 'ExecutionStarted', Detail: JSON.stringify({ metadata: toPublishedEvent(started!).metadata, data: started!.data }), Time: new Date() });
    expect(fullEntrySize).toBeGreaterThan(3 * MAX_BYTES_PER_PUT);

    // when the stream publisher publishes the commit to the bus
    const publisher = new EventPublisher({ eventBusName: 'lifeboat-test', sleep: async () => undefined });
    const result = await publishCommits({ store, executions, publish: (events) => publisher.publish(events) }, inserted(stored));

    // then every event reached the bus, each entry within EventBridge's limit, ExecutionStarted claim-checked
    expect(result.published).toBe(stored.length);
    expect(bus.published).toHaveLength(stored.length);
    for (const entry of bus.published) expect(entrySize(entry)).toBeLessThanOrEqual(MAX_BYTES_PER_PUT);
    const [onTheBus] = bus.events('ExecutionStarted');
    expect(onTheBus?.detail.data).toEqual({});
    expect(onTheBus?.detail.metadata).toEqual({ ...toPublishedEvent(started!).metadata, claimCheck: { bytes: fullEntrySize } });

    // when a consumer of another service receives it (resolving through the execution API, as a reader)
    const handled: DomainEvent[] = [];
    const consumer = lifeboatEventConsumer(
      { idempotencyTable: 'lifeboat-verification-idempotency-test', eventTypes: ['ExecutionStarted'], dynamoDbClient, resolveClaimCheck: executionEventResolver(executionApi, serviceReader('verification')) },
      async (event) => void handled.push(event),
    );
    expect(await consumer(delivered(onTheBus!.entry), lambdaContext('lifeboat-verification-test-recordExecution'))).toEqual({ eventId: started!.metadata.eventId });

    // then its handler got the full event, as the stream publisher would have published it whole
    expect(handled).toHaveLength(1);
    expect(handled[0]).toEqual(toPublishedEvent(started!));
    const data = handled[0]!.data as { executionId: string; plan: PlanSnapshot };
    expect(data.executionId).toBe(executionId);
    expect(data.plan.waves.flatMap((w) => w.servers)).toHaveLength(SERVERS);
    expect(executionApi.requests.at(-1)).toEqual({ operation: 'getExecutionEvents', input: { executionId, afterVersion: 0, limit: 1 }, caller: serviceReader('verification') });
  });

  it('the execution service\'s own consumers read it from the store, as published', async () => {
    const { stored } = await startBigDrill();
    const published = toPublishedEvent(stored[0]!);

    const resolved = await resolveClaimCheck(claimChecked(published, 900_000), storedEventResolver(() => store));

    expect(resolved).toEqual(published);
    const { streamVersion: _v, ...withoutVersion } = published.metadata;
    await expect(storedEventResolver(() => store)({ ...published, metadata: withoutVersion })).rejects.toThrow(/no stream position/);
    await expect(storedEventResolver(() => store)({ ...published, metadata: { ...published.metadata, streamVersion: stored.length + 1 } })).rejects.toThrow(/has no event at version/);
  });

  it('a consumer without a resolver refuses it (retried, then dead-lettered), never handles it empty', async () => {
    const { stored } = await startBigDrill();
    await publishCommits({ store, executions, publish: (events) => new EventPublisher({ eventBusName: 'lifeboat-test' }).publish(events) }, inserted(stored.slice(0, 1)));
    const handle = jest.fn(async () => undefined);
    const consumer = lifeboatEventConsumer({ idempotencyTable: 'lifeboat-notification-idempotency-test', eventTypes: ['ExecutionStarted'], dynamoDbClient }, handle);

    await expect(consumer(delivered(bus.published[0]!), lambdaContext('lifeboat-notification-test-notify'))).rejects.toThrow(/claim-checked .* no resolveClaimCheck/);
    expect(handle).not.toHaveBeenCalled();
  });
});
