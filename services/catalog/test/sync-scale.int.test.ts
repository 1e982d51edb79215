/**
 * Benchmark-style: 4,000 simulated servers of one account and region (DescribeSourceServers mocked
 * with aws-sdk-client-mock, 1,000 a page) synced into the local DynamoDB, synced again unchanged,
 * then with a few changes; announced through the table's stream; queried through the indexes.
 * Prints the times; asserts only correctness (tests never assert on timings).
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { DescribeSourceServersCommand, DrsClient } from '@aws-sdk/client-drs';
import type { DescribeSourceServersCommandInput } from '@aws-sdk/client-drs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { EventPublisher } from '@lifeboat/events';
import { mockEventBridge } from '@lifeboat/testing';
import { AssumedRoleCredentials } from '../src/adapters/assumed-roles.js';
import { drsClients, drsSourceServerDirectory } from '../src/adapters/drs-source-servers.js';
import { DynamoGroupStore } from '../src/adapters/groups-table.js';
import { DynamoServerStore } from '../src/adapters/servers-table.js';
import { DynamoTargetStore } from '../src/adapters/targets-table.js';
import { STSClient } from '@aws-sdk/client-sts';
import type { DrsSourceServer } from '../src/domain/inventory.js';
import { syncInventory } from '../src/inventory-sync.js';
import type { ServerWrite } from '../src/ports.js';
import { publishChanges } from '../src/publishing/stream-publisher.js';
import type { CatalogDynamoDb } from './support/catalog-dynamodb.js';
import { startCatalogDynamoDb } from './support/catalog-dynamodb.js';
import { ACCOUNT, REGION, drsServer, serverId } from './support/fixtures.js';

jest.setTimeout(300_000);

const SERVERS = 4000;
const drs = mockClient(DrsClient);
const eventBridge = mockEventBridge();
let dynamo: CatalogDynamoDb;
let listing: DrsSourceServer[] = [];
let pagesServed = 0;
let written = 0;
let store: DynamoServerStore;
let sync: () => ReturnType<typeof syncInventory>;

function fleet(stalled: Set<number> = new Set()): DrsSourceServer[] {
  return Array.from({ length: SERVERS }, (_, i) => drsServer({ n: i + 1, hostname: `srv-${String(i + 1).padStart(4, '0')}`, state: stalled.has(i + 1) ? 'STALLED' : 'CONTINUOUS', tags: { app: `app-${i % 40}`, tier: ['db', 'app', 'web'][i % 3] ?? 'web' }, lagDuration: 'PT3S' }));
}

function report(line: string): void {
  process.stdout.write(`[bench] ${line}\n`);
}

async function timed<T>(label: string, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await run();
  report(`${label}: ${Math.round(performance.now() - started)} ms`);
  return result;
}

beforeAll(async () => {
  jest.spyOn(console, 'info').mockImplementation(() => {});
  dynamo = await startCatalogDynamoDb('bench');
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
  store = new DynamoServerStore(db, dynamo.tables.CatalogServersTable);
  // Counts what the sync writes (BatchWriteItem requests), to check that only changed servers are.
  const write = store.write.bind(store);
  store.write = async (writes: readonly ServerWrite[], cause) => {
    written += writes.length;
    return write(writes, cause);
  };
  drs.on(DescribeSourceServersCommand).callsFake((input: DescribeSourceServersCommandInput) => {
    pagesServed++;
    const start = input.nextToken ? Number(input.nextToken) : 0;
    const end = start + (input.maxResults ?? 1000);
    return { items: listing.slice(start, end), nextToken: end < listing.length ? String(end) : undefined };
  });
  const deps = {
    drs: drsSourceServerDirectory(drsClients(new AssumedRoleCredentials(new STSClient({ region: REGION })))),
    store,
    targets: new DynamoTargetStore(db, dynamo.tables.CatalogTargetsTable),
    groups: new DynamoGroupStore(db, dynamo.tables.CatalogGroupsTable),
    home: { accountId: ACCOUNT, region: REGION },
    log: () => {},
  };
  sync = () => syncInventory(deps, { type: 'system', id: 'bench' });
});

afterAll(async () => {
  jest.restoreAllMocks();
  await dynamo.stop();
  drs.restore();
  eventBridge.restore();
});

describe(`a sync of ${SERVERS} servers of one account and region`, () => {
  it('discovers them all, in pages of 1,000, and announces each', async () => {
    listing = fleet();
    const result = await timed(`first sync (${SERVERS} discovered)`, sync);
    expect(result).toMatchObject({ discovered: SERVERS, changed: 0, removed: 0 });
    expect(pagesServed).toBe(4);
    expect(written).toBe(SERVERS);

    const publisher = new EventPublisher({ eventBusName: 'lifeboat-bench' });
    const stream = dynamo.takeStream();
    const { published } = await timed(`publish ${stream.Records.length} stream records`, () => publishChanges({ publish: (events, resources) => publisher.publish(events, resources) }, stream));
    expect(published).toBe(SERVERS);
    expect(new Set(eventBridge.events('SourceServerDiscovered').map((e) => (e.detail.data as { sourceServerId: string }).sourceServerId)).size).toBe(SERVERS);
  });

  it('writes nothing when nothing changed', async () => {
    written = 0;
    const result = await timed('second sync (nothing changed)', sync);
    expect(result).toMatchObject({ discovered: 0, changed: 0, removed: 0 });
    expect(written).toBe(0);
    expect(dynamo.takeStream().Records).toEqual([]);
  });

  it('writes only the servers that changed', async () => {
    written = 0;
    const stalled = new Set(Array.from({ length: 40 }, (_, i) => i * 100 + 1));
    listing = fleet(stalled).slice(0, SERVERS - 10);
    const result = await timed('third sync (40 stalled, 10 gone)', sync);
    expect(result).toMatchObject({ discovered: 0, changed: 40, removed: 10 });
    expect(written).toBe(50);
    expect(dynamo.takeStream().Records).toHaveLength(50);
  });

  it('answers filtered listings from the indexes', async () => {
    const page = (filter: Record<string, unknown>, limit = 1000, nextToken?: string) => store.query({ filter, limit, descending: false, ...(nextToken ? { nextToken } : {}) });
    const stalled = await timed('list the 40 stalled servers (byState)', () => page({ replicationState: 'STALLED' }));
    expect(stalled.items.map((s) => s.sourceServerId)).toEqual(Array.from({ length: 40 }, (_, i) => serverId(i * 100 + 1)));
    expect(stalled.nextToken).toBeNull();

    const db = await timed('list one tier of the account and region (byTarget + filter)', async () => {
      const found = [];
      let token: string | undefined;
      do {
        const result = await page({ accountId: ACCOUNT, region: REGION, tag: { key: 'tier', value: 'db' } }, 1000, token);
        found.push(...result.items);
        token = result.nextToken ?? undefined;
      } while (token);
      return found;
    });
    expect(db).toHaveLength(Math.ceil((SERVERS - 10) / 3));

    const all = await timed(`list every server, 1,000 a page (byHostname)`, async () => {
      const found = [];
      let token: string | undefined;
      do {
        const result = await page({}, 1000, token);
        found.push(...result.items);
        token = result.nextToken ?? undefined;
      } while (token);
      return found;
    });
    expect(all).toHaveLength(SERVERS - 10);
    expect(all.map((s) => s.hostname)).toEqual([...all.map((s) => s.hostname)].sort());

    const search = await timed('search a hostname', () => page({ search: 'srv-1234' }, 10));
    expect(search.items.map((s) => s.hostname)).toEqual(['srv-1234']);
  });
});
