import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { DescribeSourceServersCommand, DrsClient } from '@aws-sdk/client-drs';
import type { DescribeSourceServersCommandInput } from '@aws-sdk/client-drs';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { ApiRequest, ApiResponse, Caller, SourceServerView } from '@lifeboat/service-api';
import { validateEventDetail } from '@lifeboat/events';
import type { ServiceDynamoDb } from '@lifeboat/testing';
import { mockEventBridge, startServiceDynamoDb } from '@lifeboat/testing';
import type { DrsSourceServer } from '../src/domain/inventory.js';
import { drsServer, serverId } from './support/fixtures.js';

const STAGE = 'test';
const SERVERLESS_YML = fileURLToPath(new URL('../serverless.yml', import.meta.url));
const viewer: Caller = { userId: 'u-viewer', username: 'vera', roles: ['Viewer'] };
const author: Caller = { userId: 'u-author', username: 'paul', roles: ['PlanAuthor'] };

const drs = mockClient(DrsClient);
const eventBridge = mockEventBridge();
const published = eventBridge.published;

let dynamo: ServiceDynamoDb;
let tables: Record<string, string>;
let api: (request: ApiRequest) => Promise<ApiResponse>;
let sync: (event: never) => Promise<{ discovered: number; changed: number; removed: number }>;

/** What DRS lists, served `pageSize` at a time like DescribeSourceServers. */
let listing: DrsSourceServer[] = [];
/** nextToken of each DescribeSourceServers call, as sent (the paginator reuses its input object). */
let tokensSent: (string | undefined)[] = [];

beforeAll(async () => {
  dynamo = await startServiceDynamoDb(SERVERLESS_YML, { stage: STAGE });
  tables = dynamo.tables;
  Object.assign(process.env, {
    LIFEBOAT_STAGE: STAGE,
    EVENT_BUS_NAME: `lifeboat-${STAGE}`,
    CATALOG_SERVERS_TABLE: tables.CatalogServersTable,
    CATALOG_DRS_REGION: 'us-east-1',
  });
  api = (await import('../src/handlers/api.js')).handler as typeof api;
  sync = (await import('../src/handlers/sync.js')).handler as unknown as typeof sync;
});

afterAll(async () => {
  await dynamo.stop();
  drs.restore();
  eventBridge.restore();
});

beforeEach(() => {
  drs.reset();
  eventBridge.reset();
  tokensSent = [];
  drs.on(DescribeSourceServersCommand).callsFake((input: DescribeSourceServersCommandInput) => {
    tokensSent.push(input.nextToken);
    const start = input.nextToken ? Number(input.nextToken) : 0;
    const size = Math.min(input.maxResults ?? 1000, 2); // small pages: the sync must follow nextToken
    const end = start + size;
    return { items: listing.slice(start, end), nextToken: end < listing.length ? String(end) : undefined };
  });
});

async function call<T>(operation: string, input: unknown, caller: Caller): Promise<ApiResponse<T>> {
  return (await api({ operation, input, caller })) as ApiResponse<T>;
}

async function listAll(limit: number): Promise<{ servers: SourceServerView[]; pages: number }> {
  const servers: SourceServerView[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const response = await call<{ items: SourceServerView[]; nextToken: string | null }>('listSourceServers', { limit, ...(nextToken ? { nextToken } : {}) }, viewer);
    if (!response.ok) throw new Error(response.error.message);
    servers.push(...response.result.items);
    nextToken = response.result.nextToken ?? undefined;
    pages++;
  } while (nextToken);
  return { servers, pages };
}

const detailTypes = () => published.map((entry) => entry.DetailType);

describe('catalog sync and api against dynalite', () => {
  it('discovers every server of every DRS page and announces each with a valid event', async () => {
    listing = [1, 2, 3, 4, 5].map((n) => drsServer({ n, state: n === 5 ? 'INITIAL_SYNC' : 'CONTINUOUS' }));

    const result = await sync({} as never);

    expect(result).toEqual({ discovered: 5, changed: 0, removed: 0 });
    expect(tokensSent).toEqual([undefined, '2', '4']);
    expect(detailTypes()).toEqual(Array(5).fill('SourceServerDiscovered'));
    for (const entry of published) {
      expect(entry).toMatchObject({ EventBusName: `lifeboat-${STAGE}`, Source: 'lifeboat.catalog' });
      validateEventDetail(entry.DetailType ?? '', JSON.parse(entry.Detail ?? '{}'));
    }
    const { servers } = await listAll(100);
    expect(servers.map((s) => s.sourceServerId).sort()).toEqual([1, 2, 3, 4, 5].map(serverId));
    expect(servers.find((s) => s.sourceServerId === serverId(5))).toMatchObject({ readyForRecovery: false, replicationState: 'INITIAL_SYNC', hostname: 'host-5', os: 'LINUX' });
  });

  it('announces a changed and a removed server, once', async () => {
    listing = [1, 2, 3, 4].map((n) => drsServer({ n, state: n === 2 ? 'STALLED' : n === 5 ? 'INITIAL_SYNC' : 'CONTINUOUS' }));

    expect(await sync({} as never)).toEqual({ discovered: 0, changed: 1, removed: 1 });
    expect(detailTypes()).toEqual(['SourceServerChanged', 'SourceServerRemoved']);
    expect(JSON.parse(published[0]?.Detail ?? '{}').data).toMatchObject({ sourceServerId: serverId(2), replicationState: 'STALLED', changedFields: ['replicationState'] });

    published.length = 0;
    expect(await sync({} as never)).toEqual({ discovered: 0, changed: 0, removed: 0 });
    expect(published).toEqual([]);
  });

  it('pages listSourceServers with an opaque token', async () => {
    const { servers, pages } = await listAll(3);
    expect(servers.map((s) => s.sourceServerId).sort()).toEqual([1, 2, 3, 4].map(serverId));
    expect(pages).toBeGreaterThanOrEqual(2);

    const all = await call<{ items: SourceServerView[]; nextToken: string | null }>('listSourceServers', {}, viewer);
    expect(all.ok && all.result.items.length).toBe(4);
  });

  it('refuses a bad limit or token and an unauthorised sync, with typed errors', async () => {
    const badLimit = await call('listSourceServers', { limit: 1001 }, viewer);
    expect(badLimit).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT', field: 'limit' } });
    const badToken = await call('listSourceServers', { nextToken: 'not-a-token' }, viewer);
    expect(badToken).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT', field: 'nextToken' } });
    const forbidden = await call('syncSourceServers', {}, viewer);
    expect(forbidden).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('runs a sync on demand through the api and answers the counts', async () => {
    listing = [1, 2, 3, 4, 6].map((n) => drsServer({ n, state: n === 2 ? 'STALLED' : 'CONTINUOUS' }));
    const response = await call('syncSourceServers', {}, author);
    expect(response).toEqual({ ok: true, result: { discovered: 1, changed: 0, removed: 0 } });
    const detail = JSON.parse(published[0]?.Detail ?? '{}');
    expect(detail.metadata.actor).toEqual({ type: 'user', id: 'u-author', name: 'paul' });
  });

  it('records nothing when the bus refuses the events, so that the next sync announces them again', async () => {
    listing = [1, 2, 3, 4, 6, 7].map((n) => drsServer({ n, state: n === 2 ? 'STALLED' : 'CONTINUOUS' }));
    eventBridge.refuse();
    await expect(sync({} as never)).rejects.toThrow(/not published/);
    expect((await listAll(100)).servers.map((s) => s.sourceServerId)).not.toContain(serverId(7));
  });

  it('answers INTERNAL, without internals, when the table is gone', async () => {
    await dynamo.client.send(new DeleteTableCommand({ TableName: tables.CatalogServersTable }));
    const logged = jest.spyOn(console, 'error').mockImplementation(() => {});
    const response = await call('listSourceServers', {}, viewer);
    expect(response).toMatchObject({ ok: false, error: { code: 'INTERNAL', message: 'Internal error' } });
    expect(logged).toHaveBeenCalled();
    logged.mockRestore();
  });
});
