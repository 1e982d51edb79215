import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Context } from 'aws-lambda';
import { DeleteLaunchActionCommand, DrsClient, PutLaunchActionCommand, UpdateLaunchConfigurationCommand } from '@aws-sdk/client-drs';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { EventBridgeEnvelope, EventDetail } from '@lifeboat/events';
import { createEvent, validateEventDetail } from '@lifeboat/events';
import type { ApiRequest, ApiResponse, Caller, ConfigurationExport, ConfigurationImportResult, PlanSnapshot, ProtectionGroupView, RecoveryPlanDiff, RecoveryPlanView, SavedRecoveryPlan } from '@lifeboat/service-api';
import type { GatedServiceDynamoDb, TransactionGate } from '@lifeboat/testing';
import { lambdaContext as contextOf, mockEventBridge, startServiceDynamoDb, stubClient } from '@lifeboat/testing';
import { DynamoPlanningStore } from '../src/adapters/planning-store.js';
import type { InventoryServer } from '../src/domain/inventory.js';
import type { OutboxStreamEvent } from '../src/outbox/outbox.js';
import type { Page } from '../src/domain/listing.js';
import { ACCOUNT, REGION, server, serverId } from './support/fixtures.js';
import { planningStoreContract } from './support/store-contract.js';

const STAGE = 'test';
const SERVERLESS_YML = fileURLToPath(new URL('../serverless.yml', import.meta.url));
const author: Caller = { userId: 'u-author', username: 'paul', roles: ['PlanAuthor'] };
const otherAuthor: Caller = { userId: 'u-author-2', username: 'petra', roles: ['PlanAuthor'] };
const viewer: Caller = { userId: 'u-viewer', username: 'vera', roles: ['Viewer'] };
const lambdaContext = contextOf(`lifeboat-planning-${STAGE}-onInventoryEvent`);

const eventBridge = mockEventBridge();
const drs = stubClient(DrsClient);
let dynamo: GatedServiceDynamoDb;
/** The TransactWriteItems calls that reach DynamoDB: counted, and held back to make a race certain. */
let proxy: TransactionGate;
let db: DynamoDBDocumentClient;
let tables: Record<string, string>;
let api: (request: ApiRequest) => Promise<ApiResponse>;
let onInventoryEvent: (event: EventBridgeEnvelope<EventDetail>, context: Context) => Promise<void>;
let outboxPublisher: (event: OutboxStreamEvent) => Promise<void>;
let launchSettings: (event: OutboxStreamEvent) => Promise<void>;

beforeAll(async () => {
  dynamo = await startServiceDynamoDb(SERVERLESS_YML, { stage: STAGE, gateTransactions: true });
  proxy = dynamo.transactions;
  tables = dynamo.tables;
  db = DynamoDBDocumentClient.from(dynamo.client);
  Object.assign(process.env, {
    LIFEBOAT_STAGE: STAGE,
    EVENT_BUS_NAME: `lifeboat-${STAGE}`,
    PLANNING_GROUPS_TABLE: tables.PlanningGroupsTable,
    PLANNING_MEMBERSHIPS_TABLE: tables.PlanningMembershipsTable,
    PLANNING_NAMES_TABLE: tables.PlanningNamesTable,
    PLANNING_PLANS_TABLE: tables.PlanningPlansTable,
    PLANNING_OUTBOX_TABLE: tables.PlanningOutboxTable,
    PLANNING_INVENTORY_TABLE: tables.PlanningInventoryTable,
    PLANNING_IDEMPOTENCY_TABLE: tables.PlanningIdempotencyTable,
  });
  api = (await import('../src/handlers/api.js')).handler as typeof api;
  onInventoryEvent = (await import('../src/handlers/on-inventory-event.js')).handler;
  outboxPublisher = (await import('../src/handlers/outbox-publisher.js')).handler;
  launchSettings = (await import('../src/handlers/launch-settings.js')).handler;
});

afterAll(async () => {
  eventBridge.restore();
  drs.restore();
  await dynamo.stop();
});

beforeEach(() => {
  eventBridge.reset();
  drs.reset();
  drs.on(UpdateLaunchConfigurationCommand).resolves({});
  drs.on(PutLaunchActionCommand).resolves({});
  drs.on(DeleteLaunchActionCommand).resolves({});
});

async function call<T>(operation: string, input: unknown, caller: Caller = author): Promise<ApiResponse<T>> {
  return (await api({ operation, input, caller })) as ApiResponse<T>;
}

async function ok<T>(operation: string, input: unknown, caller: Caller = author): Promise<T> {
  const response = await call<T>(operation, input, caller);
  if (!response.ok) throw new Error(`${operation}: ${response.error.code} ${response.error.message}`);
  return response.result;
}

let second = 0;
/** A catalog event as EventBridge delivers it to the rule's target. */
function catalogEvent(type: 'SourceServerDiscovered' | 'SourceServerChanged' | 'SourceServerRemoved', data: unknown, at = ++second): EventBridgeEnvelope<EventDetail> {
  const event = createEvent(type, data, { correlationId: 'sync-test', actor: { type: 'system', id: 'lifeboat-catalog-sync' }, occurredAt: new Date(Date.UTC(2025, 0, 1, 0, 0, at)).toISOString() });
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': type,
    source: 'lifeboat.catalog',
    account: ACCOUNT,
    time: event.metadata.occurredAt,
    region: REGION,
    resources: [],
    detail: { metadata: event.metadata, data: event.data },
  };
}

const discovered = (s: InventoryServer) => catalogEvent('SourceServerDiscovered', s);
const scan = async <T>(table: string | undefined) => ((await db.send(new ScanCommand({ TableName: table }))).Items ?? []) as T[];
const publishedOf = (type: string) => eventBridge.events(type).map(({ detail }) => detail);

const delivered = new Set<string>();
/**
 * What DynamoDB Streams does with the outbox table: hands its new items, as INSERT records, to the
 * stream's consumers (outboxPublisher, launchSettings). The items are read from the table, so
 * whatever a committed change wrote is what is published.
 */
async function deliverOutbox(): Promise<OutboxStreamEvent> {
  const items = (await scan<Record<string, unknown> & { outboxId: string }>(tables.PlanningOutboxTable)).filter((item) => !delivered.has(item.outboxId)).sort((a, b) => a.outboxId.localeCompare(b.outboxId));
  for (const item of items) delivered.add(item.outboxId);
  const event: OutboxStreamEvent = { Records: items.map((item) => ({ eventName: 'INSERT', dynamodb: { NewImage: marshall(item, { removeUndefinedValues: true }) } })) };
  await outboxPublisher(event);
  await launchSettings(event);
  return event;
}

describe('planning’s copy of the inventory (onInventoryEvent)', () => {
  it('records discovered servers, once however often an event is delivered', async () => {
    for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 9]) await onInventoryEvent(discovered(server(n)), lambdaContext);
    await onInventoryEvent(discovered(server(10, { region: 'eu-west-1' })), lambdaContext);
    const again = discovered(server(11));
    await onInventoryEvent(again, lambdaContext);
    await onInventoryEvent(again, lambdaContext);

    const records = await scan<{ sourceServerId: string }>(tables.PlanningInventoryTable);
    expect(records).toHaveLength(11);
    // One idempotency record per event id (Powertools keys them by a hash of metadata.eventId).
    expect(await scan(tables.PlanningIdempotencyTable)).toHaveLength(11);
  });

  it('keeps the later state when a change arrives before an older event', async () => {
    const later = catalogEvent('SourceServerChanged', { ...server(1), hostname: 'db-primary', changedFields: ['hostname'] });
    const older = catalogEvent('SourceServerChanged', { ...server(1), hostname: 'db-old', changedFields: ['hostname'] }, 0);
    await onInventoryEvent(later, lambdaContext);
    await onInventoryEvent(older, lambdaContext);
    const records = await scan<InventoryServer>(tables.PlanningInventoryTable);
    expect(records.find((r) => r.sourceServerId === serverId(1))?.hostname).toBe('db-primary');
  });

  it('forgets a removed server (a tombstone stays) and refuses events of other types', async () => {
    await onInventoryEvent(catalogEvent('SourceServerRemoved', { sourceServerId: serverId(11), accountId: ACCOUNT, region: REGION }), lambdaContext);
    const records = await scan<{ sourceServerId: string; removed: boolean }>(tables.PlanningInventoryTable);
    expect(records.find((r) => r.sourceServerId === serverId(11))).toMatchObject({ removed: true });

    const misrouted = { ...discovered(server(12)), 'detail-type': 'ProtectionGroupCreated' };
    await expect(onInventoryEvent(misrouted, lambdaContext)).rejects.toThrow(/mis-wired/);
  });
});

describe('protection groups', () => {
  it('creates a group of inventory servers and announces it', async () => {
    const group = await ok<ProtectionGroupView>('createProtectionGroup', { name: 'Databases', accountId: ACCOUNT, region: REGION, sourceServerIds: [serverId(1), serverId(2)] });

    expect(group).toMatchObject({ name: 'Databases', accountId: ACCOUNT, region: REGION, sourceServerIds: [serverId(1), serverId(2)], createdBy: 'paul' });
    expect(group.protectionGroupId).toMatch(/^pg-/);
    // Nothing reaches the bus before the outbox's stream delivers it.
    expect(eventBridge.published).toEqual([]);
    await deliverOutbox();
    const [announced] = publishedOf('ProtectionGroupCreated');
    expect(announced?.data).toEqual({ protectionGroupId: group.protectionGroupId, name: 'Databases', accountId: ACCOUNT, region: REGION, sourceServerIds: [serverId(1), serverId(2)], revision: 1 });
    expect(announced?.metadata).toMatchObject({ correlationId: group.protectionGroupId, actor: { type: 'user', id: 'u-author', name: 'paul' } });
    validateEventDetail('ProtectionGroupCreated', announced);

    const { items: listed } = await ok<Page<ProtectionGroupView>>('listProtectionGroups', {}, viewer);
    expect(listed.map((g) => g.name)).toEqual(['Databases']);
  });

  it('refuses bad input with every problem at once, and writes nothing', async () => {
    const response = await call('createProtectionGroup', { name: 'databases', accountId: ACCOUNT, region: REGION, sourceServerIds: [serverId(3), serverId(10), serverId(11), serverId(99)] });
    expect(response).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT' } });
    expect(!response.ok && response.error.problems).toEqual([
      { field: 'name', message: "a protection group named 'Databases' already exists" },
      { field: 'sourceServerIds[1]', message: `${serverId(10)} is in region eu-west-1, not in the group's region ${REGION}` },
      { field: 'sourceServerIds[2]', message: `${serverId(11)} is not in the inventory` },
      { field: 'sourceServerIds[3]', message: `${serverId(99)} is not in the inventory` },
    ]);
    expect(await scan(tables.PlanningGroupsTable)).toHaveLength(1);
    expect(await scan(tables.PlanningOutboxTable)).toHaveLength(1);
    await deliverOutbox();
    expect(eventBridge.published).toEqual([]);
  });

  it('refuses a server that is in another group, naming the server and the group', async () => {
    const response = await call('createProtectionGroup', { name: 'Mixed', accountId: ACCOUNT, region: REGION, sourceServerIds: [serverId(3), serverId(2)] });
    expect(response).toMatchObject({ ok: false, error: { code: 'CONFLICT', field: 'sourceServerIds' } });
    expect(!response.ok && response.error.message).toContain(`${serverId(2)} belongs to protection group 'Databases'`);
    expect(await scan(tables.PlanningMembershipsTable)).toHaveLength(2);
  });

  it('lets only one of two concurrent creations take a server, and leaves nothing of the other', async () => {
    proxy.holdTransactionsUntil(2); // both requests pass their reads before either commits
    const before = { ...proxy.stats };

    const [first, second] = await Promise.all([
      call<ProtectionGroupView>('createProtectionGroup', { name: 'App servers', accountId: ACCOUNT, region: REGION, sourceServerIds: [serverId(3), serverId(4)] }, author),
      call<ProtectionGroupView>('createProtectionGroup', { name: 'Front end', accountId: ACCOUNT, region: REGION, sourceServerIds: [serverId(4), serverId(5)] }, otherAuthor),
    ]);

    expect(proxy.stats.transactions - before.transactions).toBe(2);
    expect(proxy.stats.cancelled - before.cancelled).toBe(1);
    const winners = [first, second].filter((r) => r.ok);
    const losers = [first, second].filter((r) => !r.ok);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    const winner = winners[0]?.ok ? winners[0].result : undefined;
    const loser = losers[0];
    expect(loser).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(!loser?.ok && loser?.error.message).toContain(`${serverId(4)} belongs to protection group '${winner?.name}'`);

    const groups = await scan<ProtectionGroupView>(tables.PlanningGroupsTable);
    expect(groups.map((g) => g.name).sort()).toEqual(['Databases', winner?.name].sort());
    const memberships = await scan<{ sourceServerId: string; protectionGroupId: string }>(tables.PlanningMembershipsTable);
    const loserOnly = winner?.name === 'App servers' ? serverId(5) : serverId(3);
    expect(memberships.map((m) => m.sourceServerId)).not.toContain(loserOnly);
    expect(memberships.filter((m) => m.protectionGroupId === winner?.protectionGroupId).map((m) => m.sourceServerId).sort()).toEqual(winner?.sourceServerIds.slice().sort());
    expect(memberships.every((m) => groups.some((g) => g.protectionGroupId === m.protectionGroupId))).toBe(true);
    await deliverOutbox();
    expect(publishedOf('ProtectionGroupCreated').map((e) => (e.data as { name: string }).name)).toEqual([winner?.name]);
  });

  it('resolves tag selectors, and of two concurrent saves with overlapping selectors refuses the later, naming the servers and the group', async () => {
    for (const n of [20, 21]) await onInventoryEvent(discovered(server(n, { tags: { App: 'Race', Tier: 'Db' } })), lambdaContext);
    await onInventoryEvent(discovered(server(22, { tags: { App: 'Race', Tier: 'Web' } })), lambdaContext);
    proxy.holdTransactionsUntil(2);
    const before = { ...proxy.stats };
    const [first, second] = await Promise.all([
      call<ProtectionGroupView>('createProtectionGroup', { name: 'Race DB', accountId: ACCOUNT, region: REGION, tagSelectors: [{ tags: { App: 'Race', Tier: 'Db' } }] }, author),
      call<ProtectionGroupView>('createProtectionGroup', { name: 'Race all', accountId: ACCOUNT, region: REGION, tagSelectors: [{ tags: { App: 'Race' } }] }, otherAuthor),
    ]);
    expect(proxy.stats.cancelled - before.cancelled).toBe(1);
    const winner = [first, second].find((r) => r.ok);
    const loser = [first, second].find((r) => !r.ok);
    const won = winner?.ok ? winner.result : undefined;
    expect(won?.sourceServerIds).toEqual(won?.name === 'Race DB' ? [serverId(20), serverId(21)] : [serverId(20), serverId(21), serverId(22)]);
    expect(loser).toMatchObject({ ok: false, error: { code: 'CONFLICT', field: 'sourceServerIds' } });
    expect(!loser?.ok && loser?.error.message).toContain(`${serverId(20)}, ${serverId(21)} belong to protection group '${won?.name}'`);

    // Saved after it, an overlapping selector is refused the same way.
    const later = await call('createProtectionGroup', { name: 'Race again', accountId: ACCOUNT, region: REGION, tagSelectors: [{ tags: { Tier: 'Db' } }] });
    expect(later).toMatchObject({ ok: false, error: { code: 'CONFLICT', message: expect.stringContaining(`belong to protection group '${won?.name}'`) } });
    const memberships = await scan<{ sourceServerId: string; protectionGroupId: string }>(tables.PlanningMembershipsTable);
    expect(memberships.filter((m) => [20, 21, 22].map(serverId).includes(m.sourceServerId)).every((m) => m.protectionGroupId === won?.protectionGroupId)).toBe(true);
    await ok('deleteProtectionGroup', { protectionGroupId: won?.protectionGroupId });
  });

  it('follows the catalog’s events: a server whose tags now match joins, one whose tags no longer match leaves', async () => {
    const group = await ok<ProtectionGroupView>('createProtectionGroup', { name: 'Web tier', accountId: ACCOUNT, region: REGION, tagSelectors: [{ tags: { Tier: 'Web2' } }] });
    expect(group.sourceServerIds).toEqual([]);
    await deliverOutbox();
    eventBridge.reset();

    await onInventoryEvent(discovered(server(30, { tags: { Tier: 'Web2' } })), lambdaContext);
    await deliverOutbox();
    expect(publishedOf('ProtectionGroupUpdated').map((e) => e.data)).toEqual([{ protectionGroupId: group.protectionGroupId, name: 'Web tier', accountId: ACCOUNT, region: REGION, sourceServerIds: [serverId(30)], revision: 2 }]);
    validateEventDetail('ProtectionGroupUpdated', publishedOf('ProtectionGroupUpdated')[0]);

    await onInventoryEvent(catalogEvent('SourceServerChanged', { ...server(30, { tags: { Tier: 'Retired' } }), changedFields: ['tags'] }), lambdaContext);
    await deliverOutbox();
    expect(publishedOf('ProtectionGroupUpdated').map((e) => (e.data as { sourceServerIds: string[] }).sourceServerIds)).toEqual([[serverId(30)], []]);
    const memberships = await scan<{ sourceServerId: string }>(tables.PlanningMembershipsTable);
    expect(memberships.map((m) => m.sourceServerId)).not.toContain(serverId(30));
    await ok('deleteProtectionGroup', { protectionGroupId: group.protectionGroupId });
  });

  it('applies launch settings and post-launch actions in DRS from the outbox, and takes the actions away on delete', async () => {
    await onInventoryEvent(discovered(server(31)), lambdaContext);
    const group = await ok<ProtectionGroupView>('createProtectionGroup', {
      name: 'Launch',
      accountId: ACCOUNT,
      region: REGION,
      sourceServerIds: [serverId(31)],
      launchDefaults: { copyTags: true, launchDisposition: 'STARTED', rightSizing: 'BASIC' },
      postLaunchActions: [{ documentName: 'Lifeboat-Check', category: 'VALIDATION' }],
    });
    const actionId = group.postLaunchActions?.[0]?.actionId;
    expect(actionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    await deliverOutbox();
    expect(drs.commandCalls(UpdateLaunchConfigurationCommand).map((c) => c.args[0].input)).toEqual([{ sourceServerID: serverId(31), copyTags: true, launchDisposition: 'STARTED', targetInstanceTypeRightSizingMethod: 'BASIC', postLaunchEnabled: true }]);
    expect(drs.commandCalls(PutLaunchActionCommand).map((c) => c.args[0].input)).toEqual([
      { resourceId: serverId(31), actionId, actionCode: 'Lifeboat-Check', actionVersion: '$DEFAULT', name: 'Lifeboat-Check', order: 100, optional: true, active: true, category: 'VALIDATION', description: '' },
    ]);
    await ok('deleteProtectionGroup', { protectionGroupId: group.protectionGroupId });
    await deliverOutbox();
    expect(drs.commandCalls(DeleteLaunchActionCommand).map((c) => c.args[0].input)).toEqual([{ resourceId: serverId(31), actionId }]);
    expect(publishedOf('ProtectionGroupDeleted').map((e) => e.data)).toContainEqual({ protectionGroupId: group.protectionGroupId, revision: 2 });
  });

  it('stores verification settings in DynamoDB and announces them on the bus', async () => {
    await onInventoryEvent(discovered(server(32)), lambdaContext);
    const verification = { requireSsmAgent: true, healthChecks: [{ documentName: 'Lifeboat-Check', parameters: { level: ['deep'] } }], probes: [{ type: 'HTTP', port: 443, path: '/health', https: true }] };
    const serverVerificationOverrides = [{ sourceServerId: serverId(32), healthChecks: [], probes: [] }];
    const group = await ok<ProtectionGroupView>('createProtectionGroup', { name: 'Verified', accountId: ACCOUNT, region: REGION, sourceServerIds: [serverId(32)], verification, serverVerificationOverrides });
    expect(await ok('getProtectionGroup', { protectionGroupId: group.protectionGroupId }, viewer)).toMatchObject({ verification, serverVerificationOverrides });
    await deliverOutbox();
    expect(publishedOf('ProtectionGroupCreated').map((e) => e.data)).toContainEqual(expect.objectContaining({ protectionGroupId: group.protectionGroupId, verification, serverVerificationOverrides }));
    await ok('deleteProtectionGroup', { protectionGroupId: group.protectionGroupId });
  });

  it('is for plan authors only', async () => {
    const response = await call('createProtectionGroup', { name: 'Nope', accountId: ACCOUNT, region: REGION, sourceServerIds: [serverId(6)] }, viewer);
    expect(response).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });
});

describe('recovery plans', () => {
  let groupIds: Record<string, string> = {};
  let plan: RecoveryPlanView;

  beforeAll(async () => {
    const { items: groups } = await ok<Page<ProtectionGroupView>>('listProtectionGroups', {}, viewer);
    groupIds = Object.fromEntries(groups.map((g) => [g.name, g.protectionGroupId]));
    const taken = new Set(groups.flatMap((g) => g.sourceServerIds));
    const free = [3, 5, 6, 7, 8, 9].map(serverId).filter((id) => !taken.has(id));
    for (const [name, ids] of [['Batch', free.slice(0, 1)], ['Reporting', free.slice(1, 2)]] as const) {
      const group = await ok<ProtectionGroupView>('createProtectionGroup', { name, accountId: ACCOUNT, region: REGION, sourceServerIds: ids });
      groupIds[name] = group.protectionGroupId;
    }
  });

  type WaveInput = { name: string; dependsOn?: string[]; launchOrder?: string; protectionGroupIds: (string | undefined)[] };
  const diamond = (): { name: string; waves: WaveInput[] } => ({
    name: 'Shop',
    waves: [
      { name: 'Data', protectionGroupIds: [groupIds.Databases], launchOrder: 'SEQUENTIAL' },
      { name: 'Middle', dependsOn: ['Data'], protectionGroupIds: [groupIds['App servers'] ?? groupIds['Front end']] },
      { name: 'Jobs', dependsOn: ['Data'], protectionGroupIds: [groupIds.Batch] },
      { name: 'Reports', dependsOn: ['Middle', 'Jobs'], protectionGroupIds: [groupIds.Reporting] },
    ],
  });

  it('creates version 1 of a plan whose waves form a diamond, and announces it', async () => {
    const saved = await ok<SavedRecoveryPlan>('createRecoveryPlan', diamond());
    const { findings, ...view } = saved;
    expect(findings).toEqual([]);
    plan = view;
    await deliverOutbox();

    expect(plan).toMatchObject({ name: 'Shop', version: 1, createdBy: 'paul' });
    const ids = plan.waves.map((w) => w.waveId);
    expect(new Set(ids).size).toBe(4);
    expect(plan.waves.map((w) => w.dependsOn)).toEqual([[], [ids[0]], [ids[0]], [ids[1], ids[2]]]);
    expect(plan.waves.map((w) => w.launchOrder)).toEqual(['SEQUENTIAL', 'PARALLEL', 'PARALLEL', 'PARALLEL']);
    const [announced] = publishedOf('RecoveryPlanCreated');
    expect(announced?.data).toEqual({ planId: plan.planId, version: 1, name: 'Shop', waveCount: 4 });
    validateEventDetail('RecoveryPlanCreated', announced);
  });

  it('refuses a plan with a cycle and an empty wave, every problem at once, and writes nothing', async () => {
    const bad = diamond();
    bad.waves[0] = { name: 'Data', dependsOn: ['Reports'], protectionGroupIds: [groupIds.Databases] };
    bad.waves.push({ name: 'Empty', protectionGroupIds: [] });
    const response = await call('createRecoveryPlan', bad);
    expect(response).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT' } });
    expect(!response.ok && response.error.problems?.map((p) => p.field)).toEqual(['waves[4].protectionGroupIds', 'waves[1].dependsOn[0]', 'waves[2].dependsOn[0]']);
    expect(!response.ok && response.error.message).toContain('Data → Reports → Middle → Data');
    expect(await scan(tables.PlanningPlansTable)).toHaveLength(1);
  });

  it('gets a plan by id, latest or by version, and says NOT_FOUND for others', async () => {
    expect(await ok('getRecoveryPlan', { planId: plan.planId }, viewer)).toEqual(plan);
    expect(await ok('getRecoveryPlan', { planId: plan.planId, version: 1 }, viewer)).toEqual(plan);
    expect(await call('getRecoveryPlan', { planId: plan.planId, version: 2 }, viewer)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await call('getRecoveryPlan', { planId: 'plan-nope' }, viewer)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await call('getRecoveryPlan', { planId: plan.planId, version: 0 }, viewer)).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT', field: 'version' } });
  });

  it('lists the latest version of each plan', async () => {
    const v2 = await ok<SavedRecoveryPlan>('updateRecoveryPlan', { planId: plan.planId, expectedVersion: 1, ...diamond(), name: 'Shop v2' });
    expect(v2).toMatchObject({ version: 2, changeSummary: ["renamed 'Shop' → 'Shop v2'"] });
    const other = await ok<RecoveryPlanView>('createRecoveryPlan', { name: 'Another', waves: [{ name: 'Only', protectionGroupIds: [groupIds.Databases] }] });

    const { items: listed } = await ok<Page<RecoveryPlanView>>('listRecoveryPlans', {}, viewer);
    expect(listed.map((p) => [p.planId, p.version])).toEqual([
      [other.planId, 1],
      [plan.planId, 2],
    ]);
    expect(await ok('getRecoveryPlan', { planId: plan.planId }, viewer)).toMatchObject({ version: 2 });
    // A page at a time, and by the group a latest version recovers.
    const first = await ok<Page<RecoveryPlanView>>('listRecoveryPlans', { limit: 1 }, viewer);
    expect(first.items.map((p) => p.planId)).toEqual([other.planId]);
    expect(await ok('listRecoveryPlans', { limit: 1, nextToken: first.nextToken }, viewer)).toEqual({ items: [expect.objectContaining({ planId: plan.planId })], nextToken: null });
    const batchUsers = await ok<Page<RecoveryPlanView>>('listRecoveryPlans', { filter: { protectionGroupId: groupIds.Batch } }, viewer);
    expect(batchUsers.items.map((p) => p.planId)).toEqual([plan.planId]);
    const { items: holders } = await ok<Page<ProtectionGroupView>>('listProtectionGroups', { filter: { sourceServerId: serverId(1) } }, viewer);
    expect(holders.map((g) => g.name)).toEqual(['Databases']);
    await deliverOutbox();
    expect(publishedOf('RecoveryPlanUpdated').map((e) => e.data)).toEqual([{ planId: plan.planId, version: 2, previousVersion: 1, name: 'Shop v2', waveCount: 4, changeSummary: ["renamed 'Shop' → 'Shop v2'"] }]);
    await ok('deleteRecoveryPlan', { planId: other.planId });
  });

  it('resolves a plan version into the snapshot an execution runs', async () => {
    const snapshot = await ok<PlanSnapshot>('resolveRecoveryPlan', { planId: plan.planId, version: 1 }, viewer);
    expect(snapshot.planId).toBe(plan.planId);
    expect(snapshot.version).toBe(1);
    expect(snapshot.waves.map((w) => w.waveId)).toEqual(plan.waves.map((w) => w.waveId));
    expect(snapshot.waves[0]?.servers).toEqual([
      { sourceServerId: serverId(1), accountId: ACCOUNT, region: REGION, hostname: 'db-primary', criticality: 'CRITICAL', protectionGroupId: groupIds.Databases },
      { sourceServerId: serverId(2), accountId: ACCOUNT, region: REGION, hostname: 'host-2', criticality: 'CRITICAL', protectionGroupId: groupIds.Databases },
    ]);
    expect(snapshot.waves.every((w) => w.servers.length > 0)).toBe(true);
    // The execution service embeds the snapshot in ExecutionStarted: it must fit that contract.
    const started = createEvent('ExecutionStarted', { executionId: 'ex-1', planId: snapshot.planId, planVersion: snapshot.version, mode: 'DRILL', plan: snapshot }, { correlationId: 'ex-1', actor: { type: 'user', id: 'u' } });
    validateEventDetail('ExecutionStarted', { metadata: started.metadata, data: started.data });
  });

  it('diffs versions, refuses to delete a group the latest version uses (naming the plan), and deletes the plan', async () => {
    const diff = await ok<RecoveryPlanDiff>('diffRecoveryPlanVersions', { planId: plan.planId, fromVersion: 1, toVersion: 2 }, viewer);
    expect(diff).toMatchObject({ summary: ["renamed 'Shop' → 'Shop v2'"], planChanges: ['name'] });
    const refused = await call('deleteProtectionGroup', { protectionGroupId: groupIds.Reporting });
    expect(refused).toMatchObject({ ok: false, error: { code: 'CONFLICT', message: expect.stringContaining(`recovery plan 'Shop v2' (${plan.planId})`) } });
    const deleted = await ok<{ planId: string; version: number }>('deleteRecoveryPlan', { planId: plan.planId, expectedVersion: 2 });
    expect(deleted).toEqual({ planId: plan.planId, version: 3 });
    expect(await call('getRecoveryPlan', { planId: plan.planId }, viewer)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await ok('getRecoveryPlan', { planId: plan.planId, version: 2 }, viewer)).toMatchObject({ name: 'Shop v2' });
    await deliverOutbox();
    expect(publishedOf('RecoveryPlanDeleted').map((e) => e.data)).toContainEqual({ planId: plan.planId, version: 3, name: 'Shop v2' });
    for (const event of eventBridge.events()) validateEventDetail(event.entry.DetailType ?? '', event.detail);
  });

  it('imports documents atomically: a bad one writes nothing, good ones are one transaction', async () => {
    const exported = await ok<ConfigurationExport>('exportConfiguration', { protectionGroupIds: [groupIds.Databases, groupIds.Batch], format: 'JSON' }, viewer);
    const documents = JSON.parse(exported.content) as { metadata: { name: string }; spec: Record<string, unknown> }[];
    const plans = (await scan(tables.PlanningPlansTable)).length;
    const bad = [...documents, { apiVersion: 'lifeboat/v1', kind: 'RecoveryPlan', metadata: { name: 'Imported' }, spec: { waves: [{ name: 'A', protectionGroups: ['Databases', 'Nope'] }] } }];
    const refused = await call('importConfiguration', { content: JSON.stringify(bad) });
    expect(refused).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT', problems: [{ field: 'documents[2].spec.waves[0].protectionGroups[1]' }] } });
    expect((await scan(tables.PlanningPlansTable)).length).toBe(plans);

    const before = { ...proxy.stats };
    const good = [...documents, { apiVersion: 'lifeboat/v1', kind: 'RecoveryPlan', metadata: { name: 'Imported' }, spec: { waves: [{ name: 'A', protectionGroups: ['Databases'] }, { name: 'B', dependsOn: ['A'], protectionGroups: ['Batch'] }] } }];
    const imported = await ok<ConfigurationImportResult>('importConfiguration', { content: JSON.stringify(good) });
    expect(imported.documents.map((d) => [d.name, d.action])).toEqual([
      ['Databases', 'UNCHANGED'],
      ['Batch', 'UNCHANGED'],
      ['Imported', 'CREATE'],
    ]);
    expect(proxy.stats.transactions - before.transactions).toBe(1);
    const { items: listed } = await ok<Page<RecoveryPlanView>>('listRecoveryPlans', {}, viewer);
    expect(listed.find((p) => p.name === 'Imported')?.waves.map((w) => w.protectionGroupIds)).toEqual([[groupIds.Databases], [groupIds.Batch]]);
  });
});

planningStoreContract('DynamoPlanningStore', () =>
  new DynamoPlanningStore(DynamoDBDocumentClient.from(dynamo.client, { marshallOptions: { removeUndefinedValues: true } }), {
    groups: tables.PlanningGroupsTable ?? '',
    memberships: tables.PlanningMembershipsTable ?? '',
    names: tables.PlanningNamesTable ?? '',
    plans: tables.PlanningPlansTable ?? '',
    outbox: tables.PlanningOutboxTable ?? '',
  }),
);
