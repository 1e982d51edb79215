/**
 * Server claims on the local DynamoDB (dynalite behind the runtime's proxy, which adds
 * TransactWriteItems): the API claims and refuses overlapping executions, the real
 * releaseServerClaims handler settles the claims when an execution ends, and more than 100 servers
 * are claimed in chunks, all or none.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { EventBridgeEnvelope, EventDetail } from '@lifeboat/events';
import type { ApiResponse, Caller, ExecutionView, PlanSnapshot } from '@lifeboat/service-api';
import { createApiHandler } from '@lifeboat/service-api';
import type { ServiceDynamoDb } from '@lifeboat/testing';
import { lambdaContext, startServiceDynamoDb } from '@lifeboat/testing';
import { createExecutionApi } from '../src/api/operations.js';
import { claimServers } from '../src/claims/claim-servers.js';
import type { ServerClaim } from '../src/claims/rules.js';
import { ClaimRaceError, DynamoDbServerClaims } from '../src/claims/store.js';
import { handleCommand } from '../src/command-handler.js';
import { DynamoDbEventStore } from '../src/event-store/dynamodb.js';
import { toPublishedEvent } from '../src/event-store/event-store.js';
import { InMemoryExecutionList } from '../src/read-models/executions.js';
import { jobId, launchResult, plan, recordJob, sid, verification } from './support/decider-spec.js';

const STAGE = 'claims';
const operator: Caller = { userId: 'sub-op', username: 'olivia', roles: ['Operator'] };
const manager: Caller = { userId: 'sub-rm', username: 'ruth', roles: ['RecoveryManager'] };
const snapshot: PlanSnapshot = plan({ id: 'db', servers: [1, 2] });

let dynamo: ServiceDynamoDb;
let claimsTable: string;
let store: DynamoDbEventStore;
let claims: DynamoDbServerClaims;
let api: ReturnType<typeof createApiHandler>;
let releaseHandler: (event: EventBridgeEnvelope<EventDetail>, context: unknown) => Promise<unknown>;

beforeAll(async () => {
  dynamo = await startServiceDynamoDb(fileURLToPath(new URL('../serverless.yml', import.meta.url)), { stage: STAGE });
  claimsTable = dynamo.table('ExecutionServerClaimsTable');
  expect(claimsTable).toBe(`lifeboat-execution-server-claims-${STAGE}`);
  Object.assign(process.env, {
    EXECUTION_EVENTS_TABLE: dynamo.table('ExecutionEventsTable'),
    EXECUTION_IDEMPOTENCY_TABLE: dynamo.table('ExecutionIdempotencyTable'),
    EXECUTION_SERVER_CLAIMS_TABLE: claimsTable,
    EXECUTION_SNAPSHOTS_TABLE: dynamo.table('ExecutionSnapshotsTable'),
  });
  store = new DynamoDbEventStore(dynamo.table('ExecutionEventsTable'), dynamo.client);
  claims = new DynamoDbServerClaims(claimsTable, dynamo.client);
  api = createApiHandler(createExecutionApi({ store, executions: new InMemoryExecutionList(), resolvePlan: async () => snapshot, clock: () => new Date(), claims }), () => undefined);
  ({ handler: releaseHandler } = (await import('../src/handlers/release-server-claims.js')) as unknown as { handler: typeof releaseHandler });
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});

afterAll(async () => {
  jest.restoreAllMocks();
  await dynamo?.stop();
});

function ok(response: ApiResponse): ExecutionView {
  if (!response.ok) throw new Error(`expected ok, got ${JSON.stringify(response.error)}`);
  return response.result as ExecutionView;
}

async function table(): Promise<ServerClaim[]> {
  const { Items = [] } = await dynamo.client.send(new ScanCommand({ TableName: claimsTable, ConsistentRead: true }));
  return Items.map((i) => ({ sourceServerId: i.sourceServerId?.S ?? '', executionId: i.executionId?.S ?? '', planId: i.planId?.S ?? '', mode: (i.mode?.S ?? 'DRILL') as ServerClaim['mode'], kind: (i.kind?.S ?? 'RUNNING') as ServerClaim['kind'], claimedAt: i.claimedAt?.S ?? '' })).sort((a, b) => a.sourceServerId.localeCompare(b.sourceServerId));
}

async function streams(): Promise<number> {
  const { Items = [] } = await dynamo.client.send(new ScanCommand({ TableName: dynamo.table('ExecutionEventsTable') }));
  return new Set(Items.map((i) => i.streamId?.S)).size;
}

/** The bus's delivery of the stream's last event of this type to releaseServerClaims. */
async function deliver(executionId: string, type: string): Promise<void> {
  const stored = (await store.readStream(`execution/${executionId}`)).filter((e) => e.type === type).at(-1);
  if (!stored) throw new Error(`${executionId} has no ${type}`);
  const event = toPublishedEvent(stored);
  await releaseHandler(
    { version: '0', id: `bus-${event.metadata.eventId}`, 'detail-type': type, source: 'lifeboat.execution', account: '123456789012', time: event.metadata.occurredAt, region: 'us-east-1', resources: [], detail: { metadata: event.metadata, data: event.data } as EventDetail },
    lambdaContext('lifeboat-execution-claims-releaseServerClaims'),
  );
}

async function clear(): Promise<void> {
  for (const c of await table()) await claims.settle(c.executionId, [c.sourceServerId], null, '9999');
}

describe('claims on DynamoDB', () => {
  it('claims a drill\'s servers, refuses an overlapping RECOVERY, keeps the drill\'s instances held until its cleanup', async () => {
    const drill = ok(await api({ operation: 'startExecution', input: { planId: 'plan-1', mode: 'DRILL' }, caller: operator }));
    expect((await table()).map((c) => [c.sourceServerId, c.executionId, c.kind, c.mode])).toEqual([[sid(1), drill.executionId, 'RUNNING', 'DRILL'], [sid(2), drill.executionId, 'RUNNING', 'DRILL']]);

    const refused = await api({ operation: 'startExecution', input: { planId: 'plan-1', mode: 'RECOVERY', confirmation: 'Three tier app' }, caller: manager });
    expect(refused).toMatchObject({ ok: false, error: { code: 'CONFLICT', field: 'planId' } });
    expect(await streams()).toBe(1);

    // DRS launches both, verification passes: the drill completes, its instances stay up.
    for (const command of [recordJob('db-b1', jobId(1), [1, 2]), launchResult(jobId(1), 1), launchResult(jobId(1), 2), verification(1), verification(2)]) await handleCommand(store, drill.executionId, command);
    await deliver(drill.executionId, 'ExecutionCompleted');
    await deliver(drill.executionId, 'ExecutionCompleted');
    expect((await table()).map((c) => [c.sourceServerId, c.executionId, c.kind])).toEqual([[sid(1), drill.executionId, 'DRILL_INSTANCES'], [sid(2), drill.executionId, 'DRILL_INSTANCES']]);
    const stillRefused = await api({ operation: 'startExecution', input: { planId: 'plan-1', mode: 'RECOVERY', confirmation: 'Three tier app' }, caller: manager });
    expect(stillRefused).toMatchObject({ ok: false, error: { code: 'CONFLICT', message: expect.stringContaining('clean that drill up first (cleanupDrill)') } });

    // Cleaned up: the claims go, and the RECOVERY starts.
    const cleanup = ok(await api({ operation: 'cleanupDrill', input: { executionId: drill.executionId }, caller: operator })).cleanup;
    await handleCommand(store, drill.executionId, { type: 'RecordCleanupResult', data: { terminatedRecoveryInstanceIds: cleanup?.recoveryInstanceIds ?? [] }, metadata: { commandId: '01JC0000000000000000000000', now: new Date().toISOString(), actor: { type: 'service', id: 'test' }, causationId: null } });
    await deliver(drill.executionId, 'DrillCleanupCompleted');
    expect(await table()).toEqual([]);
    const recovery = ok(await api({ operation: 'startExecution', input: { planId: 'plan-1', mode: 'RECOVERY', confirmation: 'Three tier app' }, caller: manager }));
    expect((await table()).map((c) => [c.executionId, c.kind, c.mode])).toEqual([[recovery.executionId, 'RUNNING', 'RECOVERY'], [recovery.executionId, 'RUNNING', 'RECOVERY']]);
    await clear();
  });

  it('claims more than 100 servers in chunks, all or none', async () => {
    const ids = Array.from({ length: 250 }, (_, i) => sid(1000 + i));
    const request = { executionId: 'exec-big', planId: 'plan-big', mode: 'DRILL' as const, sourceServerIds: ids };
    const now = new Date();

    // Server 230 (in the third transaction) is someone else's: the first two are undone.
    const other: ServerClaim = { sourceServerId: ids[230] ?? '', executionId: 'exec-other', planId: 'plan-x', mode: 'DRILL', kind: 'RUNNING', claimedAt: now.toISOString() };
    await claims.write([{ claim: other }]);
    const writes = ids.map((id) => ({ claim: { ...other, sourceServerId: id, executionId: 'exec-big', planId: 'plan-big' } }));
    await expect(claims.write(writes)).rejects.toBeInstanceOf(ClaimRaceError);
    expect(await table()).toEqual([other]);

    // Through the rules: refused, naming the other execution, nothing written.
    const deps = { claims, store, clock: () => now };
    await expect(claimServers(deps, request, { action: 'start this DRILL', field: 'planId' })).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining(`server ${ids[230]} is in use by DRILL exec-other`) });
    expect(await table()).toEqual([other]);

    // Once it is free (a young claim of an execution without a stream still holds it): all 250.
    await claims.settle('exec-other', [other.sourceServerId], null, '9999');
    const written = await claimServers(deps, request, { action: 'start this DRILL', field: 'planId' });
    expect(written).toHaveLength(250);
    expect((await claims.get(ids)).size).toBe(250);

    // Settling touches only the execution's own claims made before the given time.
    await claims.settle('exec-other', ids, null, '9999');
    await claims.settle('exec-big', ids.slice(0, 10), 'DRILL_INSTANCES', now.toISOString());
    expect((await table()).filter((c) => c.kind === 'DRILL_INSTANCES')).toEqual([]);
    await claims.settle('exec-big', ids.slice(0, 10), 'DRILL_INSTANCES', new Date(now.getTime() + 1).toISOString());
    expect((await table()).filter((c) => c.kind === 'DRILL_INSTANCES').map((c) => c.sourceServerId)).toEqual(ids.slice(0, 10));
    await claims.undo(written);
    expect(await table()).toEqual([]);
  });
});
