/**
 * The execution list read model (src/read-models/executions.ts) as one contract, against the
 * in-memory twin and DynamoDB (dynalite, the table and index of serverless.yml): newest first,
 * paged from a position, filtered; on DynamoDB a page reads the index from its position, not the
 * whole table.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ExecutionFilter, ExecutionMode, ExecutionStatus, ExecutionView } from '@lifeboat/service-api';
import { startServiceDynamoDb, type ServiceDynamoDb } from '@lifeboat/testing';
import type { ExecutionQuery } from '../src/read-models/execution-query.js';
import { executionMatches, newestFirst } from '../src/read-models/execution-query.js';
import type { ExecutionList } from '../src/read-models/executions.js';
import { DynamoDbExecutionList, InMemoryExecutionList } from '../src/read-models/executions.js';

let dynamo: ServiceDynamoDb;

beforeAll(async () => {
  dynamo = await startServiceDynamoDb(fileURLToPath(new URL('../serverless.yml', import.meta.url)), { stage: 'list' });
});
afterAll(async () => {
  await dynamo.stop();
});

const STATUSES: ExecutionStatus[] = ['RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'PAUSED'];

/** 150 executions, several started in the same millisecond, over 3 plans, both modes and several statuses. */
function fleetOfExecutions(): ExecutionView[] {
  return Array.from({ length: 150 }, (_, n) => {
    const startedAt = new Date(Date.UTC(2025, 0, 1) + Math.floor(n / 3) * 3_600_000).toISOString();
    const mode: ExecutionMode = n % 4 === 0 ? 'RECOVERY' : 'DRILL';
    return {
      executionId: `01J${String(n).padStart(5, '0')}`,
      planId: `plan-${n % 3}`,
      planVersion: 1,
      planName: `Plan ${n % 3}`,
      mode,
      status: STATUSES[n % STATUSES.length] as ExecutionStatus,
      startedAt,
      startedBy: 'olivia',
      version: 1 + (n % 7),
      waves: [{ waveId: 'w1', name: 'Wave 1', dependsOn: [], launchOrder: 'PARALLEL', status: 'PENDING', servers: [] }],
    };
  });
}

/**
 * The executions `filter` keeps, newest first, as start times and ids: what every adapter must
 * answer. DynamoDB keeps executions started in the same millisecond in an order of its own (the
 * index's sort key is the start time), so within one start time the ids are compared as a set.
 */
function expected(all: readonly ExecutionView[], filter: ExecutionFilter): string[] {
  return all
    .filter((v) => executionMatches(v, filter))
    .sort((a, b) => newestFirst({ startedAt: a.startedAt, executionId: a.executionId }, { startedAt: b.startedAt, executionId: b.executionId }))
    .map((v) => v.executionId);
}

/** The ids grouped by start time, in order, each group sorted: equal for two answers that differ only within ties. */
function byStart(ids: readonly string[], all: readonly ExecutionView[]): [string, string[]][] {
  const startOf = new Map(all.map((v) => [v.executionId, v.startedAt]));
  const groups: [string, string[]][] = [];
  for (const id of ids) {
    const startedAt = startOf.get(id) ?? '?';
    const last = groups[groups.length - 1];
    if (last && last[0] === startedAt) last[1].push(id);
    else groups.push([startedAt, [id]]);
  }
  return groups.map(([startedAt, group]) => [startedAt, [...group].sort()]);
}

async function everyPage(list: ExecutionList, limit: number, filter: ExecutionFilter): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let query: ExecutionQuery = { limit, filter };
  for (let pages = 1; ; pages++) {
    const page = await list.list(query);
    expect(page.items.length).toBeLessThanOrEqual(limit);
    ids.push(...page.items.map((v) => v.executionId));
    if (!page.next) return { ids, pages };
    query = { limit, filter, after: page.next };
  }
}

/** A DynamoDB client that adds up the items its queries evaluate (ScannedCount). */
function countingClient(): { client: DynamoDBClient; scanned: () => number } {
  const client = new DynamoDBClient({});
  let scanned = 0;
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const output = result.output as { ScannedCount?: number };
      scanned += output.ScannedCount ?? 0;
      return result;
    },
    { step: 'initialize', name: 'countScanned' },
  );
  return { client, scanned: () => scanned };
}

const adapters: [string, () => ExecutionList][] = [
  ['in-memory', () => new InMemoryExecutionList()],
  ['DynamoDB (dynalite)', () => new DynamoDbExecutionList(dynamo.table('ExecutionsTable'), dynamo.client)],
];

describe.each(adapters)('execution list: %s', (_name, create) => {
  const all = fleetOfExecutions();
  let subject: { list: ExecutionList };

  beforeAll(async () => {
    subject = { list: create() };
    for (const view of all) await subject.list.save(view);
  });

  it('keeps only newer versions of a view', async () => {
    const first = all[0] as ExecutionView;
    expect(await subject.list.save({ ...first, status: 'FAILED', version: first.version })).toBe(false);
    expect((await subject.list.list({ limit: 100, filter: { planId: first.planId, startedBefore: '2025-01-01T00:00:00.001Z' } })).items.map((v) => [v.executionId, v.status])).toEqual([[first.executionId, first.status]]);
  });

  it('pages through every execution newest first, none twice, none left out', async () => {
    const { ids, pages } = await everyPage(subject.list, 20, {});
    expect(new Set(ids).size).toBe(ids.length);
    expect(byStart(ids, all)).toEqual(byStart(expected(all, {}), all));
    expect(pages).toBe(8);
  });

  it.each<[string, ExecutionFilter]>([
    ['a plan', { planId: 'plan-1' }],
    ['a mode', { mode: 'RECOVERY' }],
    ['statuses', { statuses: ['FAILED', 'CANCELLED'] }],
    ['a window of start times', { startedAfter: '2025-01-02T00:00:00.000Z', startedBefore: '2025-01-03T01:00:00.000Z' }],
    ['only a start', { startedAfter: '2025-01-02T00:00:00.000Z' }],
    ['only an end', { startedBefore: '2025-01-01T05:00:00.000Z' }],
    ['everything at once', { planId: 'plan-2', mode: 'DRILL', statuses: ['RUNNING', 'COMPLETED', 'PAUSED'], startedAfter: '2025-01-01T10:00:00.000Z', startedBefore: '2025-01-02T20:00:00.000Z' }],
    ['nothing matching', { planId: 'plan-9' }],
  ])('filters by %s, across pages', async (_what, filter) => {
    const { ids } = await everyPage(subject.list, 7, filter);
    expect(new Set(ids).size).toBe(ids.length);
    expect(byStart(ids, all)).toEqual(byStart(expected(all, filter), all));
  });
});

// Runs after the contract suite, which saved the 150 executions in the table.
describe('execution list on DynamoDB', () => {
  it('reads a page from its position in the index, not the whole list', async () => {
    const { client, scanned } = countingClient();
    const list = new DynamoDbExecutionList(dynamo.table('ExecutionsTable'), client);
    const first = await list.list({ limit: 20, filter: {} });
    if (!first.next) throw new Error('expected a second page');
    const second = await list.list({ limit: 20, filter: {}, after: first.next });
    expect(second.items).toHaveLength(20);
    // 150 executions saved: each page evaluates its 20 and one more, which tells whether another follows.
    expect(scanned()).toBe(42);
  });
});

describe('an execution too large for one list item (DynamoDB keeps at most 400 KB)', () => {
  it('is listed without its servers, flagged, and still found by its filters', async () => {
    // given a 4,000-server execution whose view is over a megabyte
    const list = new DynamoDbExecutionList(dynamo.table('ExecutionsTable'), dynamo.client);
    const servers = Array.from({ length: 4000 }, (_, i) => ({ sourceServerId: `s-${String(i).padStart(17, '0')}`, hostname: `host-${i}.corp.example.com`, accountId: '123456789012', region: 'us-east-1', criticality: 'CRITICAL' as const, status: 'VERIFIED' as const, checks: [{ name: 'ec2-running-and-status-checks', status: 'PASSED' as const, durationMs: 1200, output: 'running; system ok; instance ok' }] }));
    const large: ExecutionView = { executionId: '01JLARGE0000000000000000000', planId: 'plan-large', planVersion: 1, planName: 'Large', mode: 'DRILL', status: 'COMPLETED', startedAt: '2030-01-01T00:00:00.000Z', startedBy: 'olivia', version: 12_000, waves: [{ waveId: 'w1', name: 'Everything', dependsOn: [], launchOrder: 'PARALLEL', status: 'COMPLETED', servers }] };
    expect(Buffer.byteLength(JSON.stringify(large))).toBeGreaterThan(1024 * 1024);
    // when it is saved, then it is written
    expect(await list.save(large)).toBe(true);
    // and listed by its plan, without its servers, named as such
    const page = await list.list({ limit: 10, filter: { planId: 'plan-large' } });
    expect(page.items.map((v) => [v.executionId, v.status, v.waves[0]?.servers.length])).toEqual([[large.executionId, 'COMPLETED', 0]]);
    expect(page.withoutServers).toEqual([large.executionId]);
  });
});
