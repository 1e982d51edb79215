/**
 * recordExecution against dynalite: an ExecutionStarted recorded once, and one whose plan snapshot
 * is over EventBridge's 256 KB (4,000 servers) published claim-checked, read back through the
 * execution API (stubbed: getExecutionEvents over the stream) and recorded with every server.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { DomainEvent, EventBridgeEnvelope, EventDetail } from '@lifeboat/events';
import { EventPublisher, MAX_BYTES_PER_PUT, createEvent, entrySize } from '@lifeboat/events';
import type { Caller, PlanSnapshot, ServiceApiCaller, StoredEventView } from '@lifeboat/service-api';
import { DEFAULT_VERIFICATION, executionEventResolver, serviceReader } from '@lifeboat/service-api';
import { lambdaContext, mockEventBridge, startServiceDynamoDb, type EventBridgeMock, type ServiceDynamoDb } from '@lifeboat/testing';
import type { DynamoDbExecutionContexts } from '../../src/adapters/dynamodb-execution-contexts.js';
import type { createRecordExecutionHandler as CreateRecordExecutionHandler } from '../../src/handlers/record-execution.js';

const SERVERS = 4_000;
const EXECUTION_ID = '01JBIGDRILL000000000000000';

let db: ServiceDynamoDb;
let bus: EventBridgeMock;
let createRecordExecutionHandler: typeof CreateRecordExecutionHandler;
let contexts: () => DynamoDbExecutionContexts;

const sid = (n: number) => `s-${n.toString(16).padStart(17, '0')}`;

/** 4,000 servers in four waves; every tenth has a TCP probe of its own, every other uses the defaults. */
function bigPlan(): PlanSnapshot {
  return {
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
          criticality: 'CRITICAL' as const,
          protectionGroupId: `pg-${n % 50}`,
          verification: n % 10 === 0 ? { ...DEFAULT_VERIFICATION, probes: [{ type: 'TCP' as const, port: 443 }] } : DEFAULT_VERIFICATION,
        };
      }),
    })),
  };
}

/** ExecutionStarted at version 1 of the execution's stream, as the execution service publishes it. */
function executionStarted(executionId: string, plan: PlanSnapshot): DomainEvent {
  const event = createEvent('ExecutionStarted', { executionId, planId: plan.planId, planVersion: plan.version, mode: 'DRILL', plan }, { correlationId: executionId, actor: { type: 'user', id: 'sub-op', name: 'olivia' } });
  return { ...event, metadata: { ...event.metadata, streamId: `execution/${executionId}`, streamVersion: 1, previousHash: null, hash: '1'.repeat(64) } };
}

/** The execution API over one stream: getExecutionEvents answers its events after a version. */
function executionApiOver(stream: DomainEvent[]): ServiceApiCaller & { calls: { operation: string; input: unknown; caller: Caller }[] } {
  const calls: { operation: string; input: unknown; caller: Caller }[] = [];
  return {
    calls,
    async call<T>(operation: string, input: unknown, caller: Caller): Promise<T> {
      calls.push({ operation, input, caller });
      const { afterVersion = 0 } = input as { afterVersion?: number };
      const views: StoredEventView[] = stream.map((e) => ({ streamVersion: e.metadata.streamVersion ?? 0, eventId: e.metadata.eventId, type: e.type, occurredAt: e.metadata.occurredAt, actor: e.metadata.actor.id, data: e.data, previousHash: e.metadata.previousHash ?? null, hash: e.metadata.hash ?? '' }));
      return views.filter((v) => v.streamVersion > afterVersion) as T;
    },
  };
}

/** What the rule hands to the Lambda for a published entry. */
function delivered(entry: { Source?: string; DetailType?: string; Detail?: string }): EventBridgeEnvelope<EventDetail> {
  return { version: '0', id: 'eb-1', 'detail-type': entry.DetailType ?? '', source: entry.Source ?? '', account: '123456789012', time: '2025-01-01T00:00:00Z', region: 'us-east-1', resources: [], detail: JSON.parse(entry.Detail ?? '{}') as EventDetail };
}

beforeAll(async () => {
  jest.spyOn(console, 'info').mockImplementation(() => undefined);
  db = await startServiceDynamoDb(fileURLToPath(new URL('../../serverless.yml', import.meta.url)));
  Object.assign(process.env, {
    VERIFICATION_IDEMPOTENCY_TABLE: db.tables.VerificationIdempotencyTable,
    VERIFICATION_EXECUTIONS_TABLE: db.tables.VerificationExecutionsTable,
    VERIFICATION_RETENTION_DAYS: '1',
    EVENT_BUS_NAME: 'lifeboat-test',
    LIFEBOAT_STAGE: 'test',
  });
  bus = mockEventBridge();
  ({ createRecordExecutionHandler } = await import('../../src/handlers/record-execution.js'));
  ({ executionContexts: contexts } = await import('../../src/config.js'));
});

afterAll(async () => {
  bus?.restore();
  await db?.stop();
});

describe('recordExecution of a claim-checked ExecutionStarted (4,000 servers)', () => {
  it('reads the full event from the execution API and records every server\'s verification', async () => {
    // given a 4,000-server ExecutionStarted, published by the execution service's publisher
    const started = executionStarted(EXECUTION_ID, bigPlan());
    await new EventPublisher({ eventBusName: 'lifeboat-test', sleep: async () => undefined }).publish([started]);
    const [entry] = bus.published;
    expect(entrySize(entry!)).toBeLessThanOrEqual(MAX_BYTES_PER_PUT);
    expect(JSON.parse(entry!.Detail ?? '{}')).toMatchObject({ metadata: { claimCheck: { bytes: expect.any(Number) } }, data: {} });

    // when recordExecution receives it, with the execution API holding the stream
    const api = executionApiOver([started]);
    const recordExecution = createRecordExecutionHandler({ resolveClaimCheck: executionEventResolver(api, serviceReader('verification')) });
    await recordExecution(delivered(entry!), lambdaContext('lifeboat-verification-test-recordExecution'));

    // then the stream was read once, as a reader, and the context holds all 4,000 servers' settings
    expect(api.calls).toEqual([{ operation: 'getExecutionEvents', input: { executionId: EXECUTION_ID, afterVersion: 0, limit: 1 }, caller: serviceReader('verification') }]);
    const context = await contexts().get(EXECUTION_ID);
    expect(context).toMatchObject({ planId: 'plan-dc-exit', planVersion: 7, mode: 'DRILL' });
    expect(Object.keys(context?.serverProfiles ?? {})).toHaveLength(SERVERS);
    expect(context?.profiles).toHaveLength(2);

    // and a redelivery is recognised by its eventId: the stream is not read again
    await recordExecution(delivered(entry!), lambdaContext('lifeboat-verification-test-recordExecution'));
    expect(api.calls).toHaveLength(1);
  });

  it('fails (to be retried, then dead-lettered) when the stream holds another event at that version, recording nothing', async () => {
    const executionId = '01JBIGDRILL000000000000001';
    const started = executionStarted(executionId, bigPlan());
    bus.reset();
    await new EventPublisher({ eventBusName: 'lifeboat-test', sleep: async () => undefined }).publish([started]);
    const other = { ...started, metadata: { ...started.metadata, eventId: '01JOTHER000000000000000000' } };
    const recordExecution = createRecordExecutionHandler({ resolveClaimCheck: executionEventResolver(executionApiOver([other]), serviceReader('verification')) });

    await expect(recordExecution(delivered(bus.published[0]!), lambdaContext('lifeboat-verification-test-recordExecution'))).rejects.toThrow(/resolved to another event/);
    expect(await contexts().get(executionId)).toBeUndefined();
  });
});
