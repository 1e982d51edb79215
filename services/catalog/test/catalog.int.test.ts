/**
 * The catalog's handlers against the project's local DynamoDB (dynalite, the tables and stream of
 * serverless.yml), with DRS, STS and EventBridge mocked at the SDK: sync, the table's stream
 * announcing changes, the api (listing, filters, targets), DRS events and protection group events.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { DescribeSourceServersCommand, DrsClient } from '@aws-sdk/client-drs';
import type { DescribeSourceServersCommandInput } from '@aws-sdk/client-drs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { ApiRequest, ApiResponse, Caller, SourceServerView, TargetAccountView } from '@lifeboat/service-api';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { EventBridgeEnvelope } from '@lifeboat/events';
import { isLifeboatEventType, validateEventDetail } from '@lifeboat/events';
import { lambdaContext, mockEventBridge, stubClient } from '@lifeboat/testing';
import type { DrsSourceServer } from '../src/domain/inventory.js';
import type { ProtectionGroupEvent } from '../src/domain/protection-groups.js';
import type { ServersStreamEvent } from '../src/publishing/stream-publisher.js';
import type { CatalogDynamoDb } from './support/catalog-dynamodb.js';
import { startCatalogDynamoDb } from './support/catalog-dynamodb.js';
import { ACCOUNT, REGION, drsServer, serverId } from './support/fixtures.js';

const STAGE = 'test';
const SPOKE = '210987654321';
const ROLE = `arn:aws:iam::${SPOKE}:role/LifeboatCatalog`;
const viewer: Caller = { userId: 'u-viewer', username: 'vera', roles: ['Viewer'] };
const author: Caller = { userId: 'u-author', username: 'paul', roles: ['PlanAuthor'] };
const admin: Caller = { userId: 'u-admin', username: 'ada', roles: ['Admin'] };

const drs = mockClient(DrsClient);
const sts = stubClient(STSClient);
const eventBridge = mockEventBridge();
const published = eventBridge.published;

type Handler<E, R> = (event: E, context: ReturnType<typeof lambdaContext>) => Promise<R>;
let dynamo: CatalogDynamoDb;
let api: (request: ApiRequest) => Promise<ApiResponse>;
let sync: (event: never) => Promise<{ discovered: number; changed: number; removed: number }>;
let publishChanges: (event: ServersStreamEvent) => Promise<{ published: number }>;
let onDrsEvent: Handler<SQSEvent, SQSBatchResponse>;
let onProtectionGroupEvent: Handler<EventBridgeEnvelope<unknown>, unknown>;
let projectGroupEvent: (event: ProtectionGroupEvent) => Promise<unknown>;

/** What DRS lists, by `<account>#<region>`, served two at a time like a paging DescribeSourceServers. */
let listings: Record<string, DrsSourceServer[]> = {};
/** Per `<account>#<region>`: DescribeSourceServers fails with this error. */
let failures: Record<string, Error> = {};
/** nextToken of each listing call, as sent. */
let tokensSent: (string | undefined)[] = [];
/** The credentials each DRS call was signed with, by `<account>#<region>`. */
let accessKeys: Record<string, string> = {};

const home = () => `${ACCOUNT}#${REGION}`;

beforeAll(async () => {
  // The handlers log a JSON line per sync, event and publish: not this test's output.
  jest.spyOn(console, 'info').mockImplementation(() => {});
  jest.spyOn(console, 'warn').mockImplementation(() => {});
  dynamo = await startCatalogDynamoDb(STAGE);
  Object.assign(process.env, {
    LIFEBOAT_STAGE: STAGE,
    EVENT_BUS_NAME: `lifeboat-${STAGE}`,
    CATALOG_SERVERS_TABLE: dynamo.tables.CatalogServersTable,
    CATALOG_TARGETS_TABLE: dynamo.tables.CatalogTargetsTable,
    CATALOG_GROUPS_TABLE: dynamo.tables.CatalogGroupsTable,
    CATALOG_IDEMPOTENCY_TABLE: dynamo.tables.CatalogIdempotencyTable,
    CATALOG_DRS_REGION: REGION,
    CATALOG_HOME_ACCOUNT_ID: ACCOUNT,
  });
  api = (await import('../src/handlers/api.js')).handler as typeof api;
  sync = (await import('../src/handlers/sync.js')).handler as unknown as typeof sync;
  publishChanges = (await import('../src/handlers/publish-changes.js')).handler;
  onDrsEvent = (await import('../src/handlers/on-drs-event.js')).handler as typeof onDrsEvent;
  onProtectionGroupEvent = (await import('../src/handlers/on-protection-group-event.js')).handler as unknown as typeof onProtectionGroupEvent;
  const { projectProtectionGroupEvent } = await import('../src/group-projection.js');
  const config = await import('../src/config.js');
  projectGroupEvent = (event) => projectProtectionGroupEvent({ groups: config.groupStore(), store: config.serverStore() }, event);
});

afterAll(async () => {
  jest.restoreAllMocks();
  await dynamo.stop();
  drs.restore();
  sts.restore();
  eventBridge.restore();
});

beforeEach(() => {
  drs.reset();
  sts.reset();
  eventBridge.reset();
  tokensSent = [];
  failures = {};
  accessKeys = {};
  drs.on(DescribeSourceServersCommand).callsFake(async (input: DescribeSourceServersCommandInput, getClient: () => { config: DrsClient['config'] }) => {
    const client = getClient();
    const key = `${(await client.config.credentials()).accessKeyId === 'ASIASPOKE' ? SPOKE : ACCOUNT}#${await client.config.region()}`;
    accessKeys[key] = (await client.config.credentials()).accessKeyId;
    const failure = failures[key];
    if (failure) throw failure;
    const listing = listings[key] ?? [];
    const ids = input.filters?.sourceServerIDs;
    if (ids) return { items: listing.filter((s) => ids.includes(s.sourceServerID ?? '')) };
    tokensSent.push(input.nextToken);
    const start = input.nextToken ? Number(input.nextToken) : 0;
    const end = start + Math.min(input.maxResults ?? 1000, 2); // small pages: the sync must follow nextToken
    return { items: listing.slice(start, end), nextToken: end < listing.length ? String(end) : undefined };
  });
  sts.on(AssumeRoleCommand).resolves({ Credentials: { AccessKeyId: 'ASIASPOKE', SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date(Date.now() + 3600_000) } });
});

async function call<T>(operation: string, input: unknown, caller: Caller): Promise<ApiResponse<T>> {
  return (await api({ operation, input, caller })) as ApiResponse<T>;
}

async function ok<T>(operation: string, input: unknown, caller: Caller = viewer): Promise<T> {
  const response = await call<T>(operation, input, caller);
  if (!response.ok) throw new Error(`${operation}: ${response.error.code} ${response.error.message}`);
  return response.result;
}

async function listAll(input: Record<string, unknown> = {}, limit = 100): Promise<{ servers: SourceServerView[]; pages: number }> {
  const servers: SourceServerView[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const page = await ok<{ items: SourceServerView[]; nextToken: string | null }>('listSourceServers', { ...input, limit, ...(nextToken ? { nextToken } : {}) });
    servers.push(...page.items);
    nextToken = page.nextToken ?? undefined;
    pages++;
  } while (nextToken);
  return { servers, pages };
}

const ids = (servers: SourceServerView[]) => servers.map((s) => s.sourceServerId);

/** Delivers what the servers table's stream committed to publishChanges, as Lambda would; answers the published entries. */
async function deliver() {
  const from = published.length;
  await publishChanges(dynamo.takeStream());
  return published.slice(from).map((entry) => ({ type: entry.DetailType ?? '', resources: entry.Resources, detail: JSON.parse(entry.Detail ?? '{}') }));
}

function drsEvent(detailType: string, arn: string, detail: unknown, id = `evt-${Math.random().toString(36).slice(2)}`): EventBridgeEnvelope<unknown> {
  return { version: '0', id, 'detail-type': detailType, source: 'aws.drs', account: ACCOUNT, time: new Date().toISOString(), region: REGION, resources: [arn], detail };
}

const arnOf = (n: number, account = ACCOUNT, region = REGION) => `arn:aws:drs:${region}:${account}:source-server/${serverId(n)}`;

/**
 * What the DRS events' queue hands onDrsEvent: one record per message, its body the EventBridge
 * event as the rule sent it (a string is sent as the body itself). Message ids are msg-1, msg-2, ...
 */
function sqsEventOf(...envelopes: (EventBridgeEnvelope<unknown> | string)[]): SQSEvent {
  return {
    Records: envelopes.map((envelope, index) => ({
      messageId: `msg-${index + 1}`,
      receiptHandle: `receipt-${index + 1}`,
      body: typeof envelope === 'string' ? envelope : JSON.stringify(envelope),
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()), SenderId: 'events.amazonaws.com', ApproximateFirstReceiveTimestamp: String(Date.now()) },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:${REGION}:${ACCOUNT}:lifeboat-catalog-${STAGE}-drs-events`,
      awsRegion: REGION,
    })),
  };
}

describe('sync and the table stream', () => {
  it('discovers every server of every DRS page, and the stream announces each with a valid event', async () => {
    listings = { [home()]: [1, 2, 3, 4, 5].map((n) => drsServer({ n, state: n === 5 ? 'INITIAL_SYNC' : 'CONTINUOUS', tags: { app: 'shop', tier: n <= 2 ? 'db' : 'web' } })) };

    const result = await sync({} as never);

    expect(result).toMatchObject({ discovered: 5, changed: 0, removed: 0 });
    expect(tokensSent).toEqual([undefined, '2', '4']);
    const events = await deliver();
    expect(events.map((e) => e.type)).toEqual(Array(5).fill('SourceServerDiscovered'));
    for (const entry of published) {
      expect(entry).toMatchObject({ EventBusName: `lifeboat-${STAGE}`, Source: 'lifeboat.catalog' });
      validateEventDetail(entry.DetailType ?? '', JSON.parse(entry.Detail ?? '{}'));
    }
    expect(events[0]?.resources).toEqual([arnOf(1)]);
    expect(events[0]?.detail.metadata.actor).toEqual({ type: 'system', id: 'lifeboat-catalog-sync', name: 'scheduled DRS sync' });
    const { servers } = await listAll();
    expect(ids(servers).sort()).toEqual([1, 2, 3, 4, 5].map(serverId));
    expect(servers.find((s) => s.sourceServerId === serverId(5))).toMatchObject({ readyForRecovery: false, notReadyReason: 'initial sync', replicationState: 'INITIAL_SYNC', hostname: 'host-5', os: 'LINUX' });
  });

  it('announces a changed and a removed server once, and writes nothing when nothing changed', async () => {
    listings = { [home()]: [1, 2, 3, 4].map((n) => drsServer({ n, state: n === 2 ? 'STALLED' : 'CONTINUOUS', tags: { app: 'shop', tier: n <= 2 ? 'db' : 'web' } })) };

    expect(await sync({} as never)).toMatchObject({ discovered: 0, changed: 1, removed: 1 });
    const events = await deliver();
    expect(events.map((e) => e.type)).toEqual(['SourceServerChanged', 'SourceServerRemoved']);
    expect(events[0]?.detail.data).toMatchObject({ sourceServerId: serverId(2), replicationState: 'STALLED', notReadyReason: 'replication stalled', changedFields: ['replicationState', 'notReadyReason'] });

    expect(await sync({} as never)).toMatchObject({ discovered: 0, changed: 0, removed: 0 });
    expect(dynamo.takeStream().Records).toEqual([]);
  });

  it('publishes nothing it cannot deliver: the batch fails, and its redelivery publishes the same events', async () => {
    listings[home()]?.push(drsServer({ n: 7 }));
    await sync({} as never);
    const batch = dynamo.takeStream();
    eventBridge.refuse();
    await expect(publishChanges(batch)).rejects.toThrow(/not published/);
    eventBridge.reset();
    await publishChanges(batch);
    expect(published.map((e) => e.DetailType)).toEqual(['SourceServerDiscovered']);
    // The same committed write gives the same event id, whichever delivery publishes it.
    const { events } = (await import('../src/publishing/stream-publisher.js')).eventsOfStream(batch);
    expect(JSON.parse(published[0]?.Detail ?? '{}').metadata.eventId).toBe(events[0]?.metadata.eventId);
  });

  it('runs a sync on demand through the api, answering counts per account and region', async () => {
    listings[home()]?.push(drsServer({ n: 6 }));
    const result = await ok<{ discovered: number; targets: unknown[] }>('syncSourceServers', {}, author);
    expect(result).toMatchObject({ discovered: 1, changed: 0, removed: 0, targets: [{ accountId: ACCOUNT, region: REGION, status: 'SUCCEEDED', discovered: 1, serverCount: 6 }] });
    const [event] = await deliver();
    expect(event?.detail.metadata.actor).toEqual({ type: 'user', id: 'u-author', name: 'paul' });
    expect(await call('syncSourceServers', {}, viewer)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await call('syncSourceServers', { accountId: '999999999999' }, author)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', field: 'accountId' } });
  });
});

describe('listSourceServers and getSourceServer', () => {
  it('pages with an opaque token, in hostname order either way', async () => {
    const { servers, pages } = await listAll({}, 2);
    expect(ids(servers)).toEqual([1, 2, 3, 4, 6, 7].map(serverId));
    expect(pages).toBe(3);
    const descending = await listAll({ sort: { field: 'HOSTNAME', direction: 'DESC' } }, 4);
    expect(ids(descending.servers)).toEqual([7, 6, 4, 3, 2, 1].map(serverId));
  });

  it('filters by replication state, readiness, account and region, tag and hostname text', async () => {
    expect(ids((await listAll({ filter: { replicationState: 'STALLED' } })).servers)).toEqual([serverId(2)]);
    expect(ids((await listAll({ filter: { ready: false } })).servers)).toEqual([serverId(2)]);
    expect(ids((await listAll({ filter: { ready: true } }, 2)).servers)).toEqual([1, 3, 4, 6, 7].map(serverId));
    expect(ids((await listAll({ filter: { accountId: ACCOUNT, region: REGION, tag: { key: 'tier', value: 'db' } } })).servers)).toEqual([1, 2].map(serverId));
    expect(ids((await listAll({ filter: { tag: { key: 'tier' } } })).servers)).toEqual([1, 2, 3, 4].map(serverId));
    expect(ids((await listAll({ filter: { search: 'HOST-6' } })).servers)).toEqual([serverId(6)]);
    expect(ids((await listAll({ filter: { accountId: SPOKE } })).servers)).toEqual([]);
    // A filter that matches few of many: short pages, each with a token, until the end.
    expect(ids((await listAll({ filter: { search: '7' } }, 1)).servers)).toEqual([serverId(7)]);
  });

  it('answers one server, with when DRS last listed it', async () => {
    const server = await ok<SourceServerView>('getSourceServer', { sourceServerId: serverId(2) });
    expect(server).toMatchObject({ sourceServerId: serverId(2), replicationState: 'STALLED', replication: { state: 'STALLED' }, fqdn: 'host-2.corp.example' });
    // Not rewritten by the last syncs (unchanged), but listed by them.
    const [status] = (await ok<TargetAccountView[]>('listTargetAccounts', {})).find((a) => a.accountId === ACCOUNT)?.sync ?? [];
    expect(server.lastSeenAt).toBe(status?.lastSuccessAt);
    expect(await call('getSourceServer', { sourceServerId: serverId(99) }, viewer)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', field: 'sourceServerId' } });
    expect(await call('getSourceServer', { sourceServerId: 'i-123' }, viewer)).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT', field: 'sourceServerId' } });
  });

  it('answers several servers in one call, in the order asked, leaving out the unknown ones', async () => {
    const servers = await ok<SourceServerView[]>('getSourceServers', { sourceServerIds: [serverId(3), serverId(99), serverId(1), serverId(3)] });
    expect(ids(servers)).toEqual([serverId(3), serverId(1)]);
    expect(servers[1]).toEqual(await ok<SourceServerView>('getSourceServer', { sourceServerId: serverId(1) }));
    expect(await call('getSourceServers', { sourceServerIds: [] }, viewer)).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT', field: 'sourceServerIds' } });
    expect(await call('getSourceServers', { sourceServerIds: [serverId(1), 'i-123'] }, viewer)).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT', problems: [{ field: 'sourceServerIds[1]' }] } });
    expect(await call('getSourceServers', { sourceServerIds: [serverId(1)] }, { userId: 'u-none', username: 'nobody', roles: [] })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('refuses bad input with typed errors naming the field', async () => {
    expect(await call('listSourceServers', { limit: 1001 }, viewer)).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT', field: 'limit' } });
    expect(await call('listSourceServers', { nextToken: 'not-a-token' }, viewer)).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT', field: 'nextToken' } });
    expect(await call('listSourceServers', { filter: { region: 'mars' } }, viewer)).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT', field: 'filter.region' } });
    expect(await call('listSourceServers', { filter: { protectionGroupId: 'pg-1', unassigned: true } }, viewer)).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT', field: 'filter.unassigned' } });
    expect(await call('listSourceServers', { sort: { field: 'LAG' } }, viewer)).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT', field: 'sort.field' } });
    const page = await ok<{ nextToken: string }>('listSourceServers', { limit: 1 });
    expect(await call('listSourceServers', { limit: 1, nextToken: page.nextToken, filter: { ready: true } }, viewer)).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT', field: 'nextToken' } });
  });
});

describe('DRS events', () => {
  const context = () => lambdaContext('lifeboat-catalog-test-onDrsEvent');
  const describeCalls = () => drs.commandCalls(DescribeSourceServersCommand).map((c) => c.args[0].input);

  it('describes a server again after it stalled, and the stream announces the change', async () => {
    listings[home()] = (listings[home()] ?? []).map((s) => (s.sourceServerID === serverId(3) ? drsServer({ n: 3, state: 'STALLED', tags: { app: 'shop', tier: 'web' } }) : s));
    const event = drsEvent('DRS Source Server Data Replication Stalled Change', arnOf(3), { state: 'STALLED' });

    expect(await onDrsEvent(sqsEventOf(event), context())).toEqual({ batchItemFailures: [] });

    expect(describeCalls()).toEqual([{ filters: { sourceServerIDs: [serverId(3)] }, maxResults: 200 }]);
    const events = await deliver();
    expect(events.map((e) => e.type)).toEqual(['SourceServerChanged']);
    expect(events[0]?.detail.data).toMatchObject({ sourceServerId: serverId(3), replicationState: 'STALLED', readyForRecovery: false, changedFields: ['replicationState', 'notReadyReason'] });
    expect(events[0]?.detail.metadata).toMatchObject({ actor: { type: 'system', id: 'aws.drs' }, causationId: event.id });

    // The same event again (EventBridge and SQS deliver at least once): nothing changes.
    expect(await onDrsEvent(sqsEventOf(event), context())).toEqual({ batchItemFailures: [] });
    expect(await deliver()).toEqual([]);
  });

  it('reports a stalled change whose detail is not the documented one as a failed record, and describes nothing', async () => {
    const response = await onDrsEvent(sqsEventOf(drsEvent('DRS Source Server Data Replication Stalled Change', arnOf(3), { state: 'MAYBE' })), context());

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-1' }] });
    expect(describeCalls()).toEqual([]);
  });

  it('records the last launch and recovery instance after a launch result', async () => {
    const launch = { type: 'DRILL' as const, jobId: 'drsjob-1a2b3c4d5e6f7a8b9', at: '2025-06-01T11:00:00Z', status: 'LAUNCHED', result: 'SUCCEEDED', recoveryInstanceId: 'i-0123456789abcdef0' };
    listings[home()] = (listings[home()] ?? []).map((s) => (s.sourceServerID === serverId(4) ? drsServer({ n: 4, lastLaunch: launch, tags: { app: 'shop', tier: 'web' } }) : s));

    await onDrsEvent(sqsEventOf(drsEvent('DRS Source Server Launch Result', arnOf(4), { state: 'RECOVERY_LAUNCH_SUCCEEDED', 'job-id': launch.jobId, 'is-drill': 'TRUE' })), context());

    const [event] = await deliver();
    expect(event?.detail.data).toMatchObject({ lastLaunch: { type: 'DRILL', jobId: launch.jobId, status: 'LAUNCHED', result: 'SUCCEEDED', initiatedAt: launch.at }, recoveryInstanceId: launch.recoveryInstanceId, changedFields: ['lastLaunch', 'recoveryInstanceId'] });
    expect(await ok<SourceServerView>('getSourceServer', { sourceServerId: serverId(4) })).toMatchObject({ lastLaunch: { type: 'DRILL' }, recoveryInstanceId: launch.recoveryInstanceId });
  });

  it('ignores an event of an account the catalog does not list (not a failed record)', async () => {
    const response = await onDrsEvent(sqsEventOf(drsEvent('DRS Source Server Data Replication Stalled Change', arnOf(3, '999999999999'), { state: 'STALLED' })), context());

    expect(response).toEqual({ batchItemFailures: [] });
    expect(describeCalls()).toEqual([]);
  });

  it('reports exactly the invalid record of a batch, and applies the valid ones with one DescribeSourceServers', async () => {
    const launch = (n: number) => ({ type: 'RECOVERY' as const, jobId: 'drsjob-0000000000000000b', at: '2025-06-02T09:00:00Z', status: 'LAUNCHED', result: 'SUCCEEDED', recoveryInstanceId: `i-0000000000000000${n}` });
    listings[home()] = (listings[home()] ?? []).map((s) => [6, 7].map((n) => (s.sourceServerID === serverId(n) ? drsServer({ n, lastLaunch: launch(n) }) : undefined)).find(Boolean) ?? s);
    const launched = (n: number) => drsEvent('DRS Source Server Launch Result', arnOf(n), { state: 'RECOVERY_LAUNCH_SUCCEEDED', 'job-id': launch(n).jobId, 'is-drill': 'FALSE' });

    const response = await onDrsEvent(sqsEventOf(launched(6), '{"not": "closed"', launched(7)), context());

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-2' }] });
    expect(describeCalls()).toEqual([{ filters: { sourceServerIDs: [serverId(6), serverId(7)] }, maxResults: 200 }]);
    const events = await deliver();
    expect(events.map((e) => [e.type, e.detail.data.sourceServerId]).sort()).toEqual([
      ['SourceServerChanged', serverId(6)],
      ['SourceServerChanged', serverId(7)],
    ]);
    for (const n of [6, 7]) expect(await ok<SourceServerView>('getSourceServer', { sourceServerId: serverId(n) })).toMatchObject({ lastLaunch: { type: 'RECOVERY' }, recoveryInstanceId: launch(n).recoveryInstanceId });
  });

  it('reports the records whose servers DRS refused to describe, and changes nothing', async () => {
    failures[home()] = Object.assign(new Error('not authorized to perform drs:DescribeSourceServers'), { name: 'AccessDeniedException' });
    const stalled = (arn: string) => drsEvent('DRS Source Server Data Replication Stalled Change', arn, { state: 'STALLED' });

    const response = await onDrsEvent(sqsEventOf(stalled(arnOf(1)), stalled(arnOf(3, '999999999999')), stalled(arnOf(2))), context());

    // The event of an account the catalog does not list is not retried: it would change nothing.
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-1' }, { itemIdentifier: 'msg-3' }] });
    expect(dynamo.takeStream().Records).toEqual([]);
  });
});

describe('protection groups (planning events)', () => {
  const metadata = (n: number) => ({ eventId: `01JB00000000000000000000${String(n).padStart(2, '0')}`, schemaVersion: 1, occurredAt: `2025-06-01T12:0${n}:00.000Z`, correlationId: 'pg-1', causationId: null, actor: { type: 'user' as const, id: 'u-author' } });
  const group = (n: number, type: ProtectionGroupEvent['type'], members: number[]): ProtectionGroupEvent =>
    type === 'ProtectionGroupDeleted'
      ? { type, data: { protectionGroupId: 'pg-1', revision: n }, metadata: metadata(n) }
      : { type, data: { protectionGroupId: 'pg-1', name: 'Database', accountId: ACCOUNT, region: REGION, sourceServerIds: members.map(serverId), revision: n }, metadata: metadata(n) };

  /** Through the handler when the event type is registered in @lifeboat/events; else straight to the projection. */
  async function apply(event: ProtectionGroupEvent): Promise<void> {
    if (isLifeboatEventType(event.type)) {
      const envelope = { version: '0', id: `eb-${event.metadata.eventId}`, 'detail-type': event.type, source: 'lifeboat.planning', account: ACCOUNT, time: event.metadata.occurredAt, region: REGION, resources: [], detail: { metadata: event.metadata, data: event.data } };
      await onProtectionGroupEvent(envelope, lambdaContext('lifeboat-catalog-test-onProtectionGroupEvent'));
    } else {
      await projectGroupEvent(event);
    }
  }

  it('assigns the members of a created group, and lists servers by group and unassigned ones', async () => {
    await apply(group(1, 'ProtectionGroupCreated', [1, 2]));
    expect(ids((await listAll({ filter: { protectionGroupId: 'pg-1' } })).servers)).toEqual([1, 2].map(serverId));
    expect(ids((await listAll({ filter: { unassigned: true } })).servers)).toEqual([3, 4, 6, 7].map(serverId));
    expect(await ok<SourceServerView>('getSourceServer', { sourceServerId: serverId(1) })).toMatchObject({ protectionGroupId: 'pg-1', protectionGroupName: 'Database' });
    // Not an announced change: planning announces groups itself.
    expect(await deliver()).toEqual([]);
  });

  it('follows an update, ignores a late older event, and unassigns everyone when the group is deleted', async () => {
    await apply(group(3, 'ProtectionGroupUpdated', [2, 3]));
    await apply(group(2, 'ProtectionGroupUpdated', [1, 4]));
    expect(ids((await listAll({ filter: { protectionGroupId: 'pg-1' } })).servers)).toEqual([2, 3].map(serverId));
    await apply(group(4, 'ProtectionGroupDeleted', []));
    expect(ids((await listAll({ filter: { protectionGroupId: 'pg-1' } })).servers)).toEqual([]);
    expect(ids((await listAll({ filter: { unassigned: true } })).servers)).toEqual([1, 2, 3, 4, 6, 7].map(serverId));
  });
});

describe('target accounts', () => {
  it('refuses bad input, naming each field, and non-admins', async () => {
    const bad = await call('addTargetAccount', { accountId: '12', regions: ['mars', 'eu-west-1', 'eu-west-1'], roleArn: 'arn:aws:iam::111122223333:user/x', externalId: '!' }, admin);
    expect(bad).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT', field: 'accountId' } });
    expect(!bad.ok && bad.error.problems?.map((p) => p.field)).toEqual(['accountId', 'regions[0]', 'regions[2]', 'roleArn', 'externalId']);
    expect(await call('addTargetAccount', { accountId: SPOKE, regions: ['eu-west-1'] }, admin)).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT', field: 'roleArn' } });
    expect(await call('addTargetAccount', { accountId: SPOKE, regions: ['eu-west-1'], roleArn: ROLE }, author)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(sts.commandCalls(AssumeRoleCommand)).toEqual([]);
  });

  it('refuses a role it cannot assume, saving nothing', async () => {
    sts.on(AssumeRoleCommand).rejects(Object.assign(new Error('User is not authorized to perform: sts:AssumeRole'), { name: 'AccessDenied' }));
    const refused = await call('addTargetAccount', { accountId: SPOKE, regions: ['eu-west-1'], roleArn: ROLE, externalId: 'lifeboat-42' }, admin);
    expect(refused).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT', field: 'roleArn' } });
    expect(!refused.ok && refused.error.message).toMatch(/cannot be assumed .*AccessDenied/);
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual([{ RoleArn: ROLE, RoleSessionName: 'lifeboat-catalog', DurationSeconds: 3600, ExternalId: 'lifeboat-42' }]);
    expect((await ok<TargetAccountView[]>('listTargetAccounts', {})).map((a) => a.accountId)).toEqual([ACCOUNT]);
  });

  it('refuses a region where the role may not use DRS, naming the region', async () => {
    failures[`${SPOKE}#us-west-2`] = Object.assign(new Error('not authorized to perform drs:DescribeSourceServers'), { name: 'AccessDeniedException' });
    const refused = await call('addTargetAccount', { accountId: SPOKE, regions: ['eu-west-1', 'us-west-2'], roleArn: ROLE, externalId: 'lifeboat-42' }, admin);
    expect(refused).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT', field: 'regions[1]' } });
    expect(!refused.ok && refused.error.message).toMatch(/may not call drs:DescribeSourceServers in us-west-2/);
    expect(drs.commandCalls(DescribeSourceServersCommand).map((c) => c.args[0].input)).toEqual([
      { filters: {}, maxResults: 1 },
      { filters: {}, maxResults: 1 },
    ]);
  });

  it('adds a reachable account, syncs it through the assumed role, and answers its sync status', async () => {
    listings[`${SPOKE}#eu-west-1`] = [drsServer({ n: 21, accountId: SPOKE, region: 'eu-west-1' }), drsServer({ n: 22, accountId: SPOKE, region: 'eu-west-1' })];
    listings[`${SPOKE}#us-west-2`] = [drsServer({ n: 23, accountId: SPOKE, region: 'us-west-2' })];

    const added = await ok<TargetAccountView>('addTargetAccount', { accountId: SPOKE, regions: ['eu-west-1', 'us-west-2'], roleArn: ROLE, externalId: 'lifeboat-42' }, admin);
    expect(added).toMatchObject({ accountId: SPOKE, regions: ['eu-west-1', 'us-west-2'], roleArn: ROLE, hasExternalId: true, isDefault: false, createdBy: 'ada', sync: [{ region: 'eu-west-1', status: 'NEVER_SYNCED' }, { region: 'us-west-2', status: 'NEVER_SYNCED' }] });
    expect(added).not.toHaveProperty('externalId');
    expect(await call('addTargetAccount', { accountId: SPOKE, regions: ['eu-west-1'], roleArn: ROLE }, admin)).toMatchObject({ ok: false, error: { code: 'CONFLICT', field: 'accountId' } });

    failures[`${SPOKE}#us-west-2`] = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    const logged = jest.spyOn(console, 'error').mockImplementation(() => {});
    const result = await ok<{ discovered: number; targets: { accountId: string; region: string; status: string }[] }>('syncSourceServers', {}, author);
    expect(result.discovered).toBe(2);
    expect(String(logged.mock.calls[0]?.[0])).toMatch(/"level":"ERROR".*ThrottlingException/);
    logged.mockRestore();
    expect(result.targets.map((t) => [t.accountId, t.region, t.status])).toEqual([
      [ACCOUNT, REGION, 'SUCCEEDED'],
      [SPOKE, 'eu-west-1', 'SUCCEEDED'],
      [SPOKE, 'us-west-2', 'FAILED'],
    ]);
    expect(accessKeys[`${SPOKE}#eu-west-1`]).toBe('ASIASPOKE');
    expect(accessKeys[home()]).not.toBe('ASIASPOKE');
    // One AssumeRole for the check and the sync of both regions: cached until shortly before expiry.
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);

    const accounts = await ok<TargetAccountView[]>('listTargetAccounts', {});
    expect(accounts.map((a) => [a.accountId, a.isDefault])).toEqual([
      [ACCOUNT, true],
      [SPOKE, false],
    ]);
    expect(accounts[1]?.sync).toEqual([
      expect.objectContaining({ region: 'eu-west-1', status: 'SUCCEEDED', serverCount: 2, discovered: 2 }),
      expect.objectContaining({ region: 'us-west-2', status: 'FAILED', error: { code: 'ThrottlingException', message: 'Rate exceeded' } }),
    ]);
    expect(ids((await listAll({ filter: { accountId: SPOKE } })).servers)).toEqual([21, 22].map(serverId));
    expect(ids((await listAll({ filter: { accountId: SPOKE, region: 'eu-west-1' } })).servers)).toEqual([21, 22].map(serverId));
    await deliver();
  });

  it('updates an account: a dropped region\'s servers leave the catalog, announced', async () => {
    delete failures[`${SPOKE}#us-west-2`];
    await ok('syncSourceServers', { accountId: SPOKE, region: 'us-west-2' }, author);
    await deliver();

    const updated = await ok<TargetAccountView>('updateTargetAccount', { accountId: SPOKE, regions: ['us-west-2'], externalId: null }, admin);
    expect(updated).toMatchObject({ regions: ['us-west-2'], hasExternalId: false, updatedBy: 'ada' });
    const events = await deliver();
    expect(events.map((e) => [e.type, e.detail.data.sourceServerId])).toEqual([
      ['SourceServerRemoved', serverId(21)],
      ['SourceServerRemoved', serverId(22)],
    ]);
    expect(events[0]?.detail.metadata.actor).toEqual({ type: 'user', id: 'u-admin', name: 'ada' });
    expect(await call('updateTargetAccount', { accountId: '999999999999', regions: ['us-west-2'] }, admin)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', field: 'accountId' } });
  });

  it('removes an account and its servers', async () => {
    const removed = await ok('removeTargetAccount', { accountId: SPOKE }, admin);
    expect(removed).toEqual({ accountId: SPOKE, removedServers: 1 });
    expect((await deliver()).map((e) => e.type)).toEqual(['SourceServerRemoved']);
    expect((await ok<TargetAccountView[]>('listTargetAccounts', {})).map((a) => a.accountId)).toEqual([ACCOUNT]);
    expect(await call('removeTargetAccount', { accountId: SPOKE }, admin)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', field: 'accountId' } });
    expect(await call('removeTargetAccount', { accountId: ACCOUNT }, admin)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', field: 'accountId' } });
  });
});

describe('failures', () => {
  it('answers INTERNAL, without internals, when the table is gone', async () => {
    await dynamo.client.send(new DeleteTableCommand({ TableName: dynamo.tables.CatalogServersTable }));
    const logged = jest.spyOn(console, 'error').mockImplementation(() => {});
    const response = await call('listSourceServers', {}, viewer);
    expect(response).toMatchObject({ ok: false, error: { code: 'INTERNAL', message: 'Internal error' } });
    expect(logged).toHaveBeenCalled();
    logged.mockRestore();
  });
});
