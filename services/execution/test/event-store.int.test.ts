import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DomainEvent } from '@lifeboat/events';
import { newEventId } from '@lifeboat/events';
import { tablesOfServerlessYml } from '@lifeboat/local';
import { startLocalDynamoDb } from '@lifeboat/local/dynamodb';
import { startServiceDynamoDb, type ServiceDynamoDb } from '@lifeboat/testing';
import { forgetCachedExecutions, handleCommand, loadExecution, streamIdOf, toExecutionEvents } from '../src/command-handler.js';
import type { ExecutionCommand } from '../src/domain/commands.js';
import { foldExecution } from '../src/domain/evolve.js';
import { serializeExecutionState } from '../src/domain/snapshot.js';
import type { CommitItem } from '../src/event-store/dynamodb.js';
import { CommitTooLargeError, DynamoDbEventStore, DynamoDbSnapshotStore } from '../src/event-store/dynamodb.js';
import type { EventStore, SnapshotStore } from '../src/event-store/event-store.js';
import { StreamVersionConflictError, canonicalJson, chainEvents, hashEvent, verifyChain } from '../src/event-store/event-store.js';
import { InMemoryEventStore, InMemorySnapshotStore } from '../src/event-store/in-memory.js';
import { publishCommits } from '../src/publishing/stream-publisher.js';
import { InMemoryExecutionList } from '../src/read-models/executions.js';
import { EXECUTION_ID, history, jobId, launchResult, plan, recordJob, startExecution } from './support/decider-spec.js';

const SERVERLESS_YML = fileURLToPath(new URL('../serverless.yml', import.meta.url));
let dynamo: ServiceDynamoDb;
let eventsTable: string;
let snapshotsTable: string;

beforeAll(async () => {
  dynamo = await startServiceDynamoDb(SERVERLESS_YML, { stage: 'contract' });
  eventsTable = dynamo.table('ExecutionEventsTable');
  snapshotsTable = dynamo.table('ExecutionSnapshotsTable');
});
afterAll(async () => {
  await dynamo.stop();
});

let streams = 0;
const newStream = () => `test/${++streams}-${newEventId()}`;

function events(count: number, type = 'Thing', from = 0): DomainEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    type,
    data: { n: from + i, nested: { b: 2, a: [1, { z: true, y: null }] } },
    metadata: { eventId: newEventId(), schemaVersion: 1, occurredAt: '2025-01-01T00:00:00.000Z', correlationId: 'c', causationId: null, actor: { type: 'system', id: 'test' } },
  }));
}

const adapters: [string, () => EventStore][] = [
  ['in-memory', () => new InMemoryEventStore()],
  ['DynamoDB (dynalite)', () => new DynamoDbEventStore(eventsTable, dynamo.client)],
];

describe.each(adapters)('EventStore contract: %s', (_name, createStore) => {
  it('reads a stream that does not exist as empty', async () => {
    expect(await createStore().readStream(newStream())).toEqual([]);
  });

  it('appends events with consecutive versions and an audit chain of hashes', async () => {
    const store = createStore();
    const id = newStream();
    const first = await store.appendToStream(id, 0, events(2));
    const second = await store.appendToStream(id, 2, events(3, 'Other', 2));
    const all = await store.readStream(id);
    expect(all).toEqual([...first, ...second]);
    expect(all.map((e) => e.version)).toEqual([1, 2, 3, 4, 5]);
    expect(all.map((e) => e.type)).toEqual(['Thing', 'Thing', 'Other', 'Other', 'Other']);
    expect(all[0]?.previousHash).toBeNull();
    for (let i = 1; i < all.length; i++) expect(all[i]?.previousHash).toBe(all[i - 1]?.hash);
    expect(all[2]?.hash).toBe(hashEvent(all[1]!.hash, all[2]!));
    expect(all[0]?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(verifyChain(all)).toEqual({ valid: true });
    expect(verifyChain(all.slice(2), all[1]!.hash)).toEqual({ valid: true });
  });

  it('keeps the data exactly as appended (stream fields are the store\'s)', async () => {
    const store = createStore();
    const id = newStream();
    const [event] = events(1);
    await store.appendToStream(id, 0, [{ ...event!, metadata: { ...event!.metadata, streamId: 'forged', streamVersion: 99, hash: 'x' } }]);
    const [stored] = await store.readStream(id);
    expect(stored).toMatchObject({ streamId: id, version: 1, type: 'Thing', data: event!.data, metadata: event!.metadata });
    expect(stored?.metadata).not.toHaveProperty('hash');
  });

  it('detects tampering anywhere in the chain', async () => {
    const store = createStore();
    const id = newStream();
    await store.appendToStream(id, 0, events(3));
    const all = await store.readStream(id);
    const altered = all.map((e) => (e.version === 2 ? { ...e, data: { n: 666 } } : e));
    expect(verifyChain(altered)).toEqual({ valid: false, version: 2, reason: 'hash does not match the content' });
    expect(verifyChain([all[0]!, all[2]!])).toMatchObject({ valid: false, version: 3 });
  });

  it('refuses an append at a version the stream is not at', async () => {
    const store = createStore();
    const id = newStream();
    await store.appendToStream(id, 0, events(2));
    await expect(store.appendToStream(id, 0, events(1))).rejects.toBeInstanceOf(StreamVersionConflictError);
    await expect(store.appendToStream(id, 1, events(1))).rejects.toBeInstanceOf(StreamVersionConflictError);
    await expect(store.appendToStream(id, 5, events(1))).rejects.toBeInstanceOf(StreamVersionConflictError);
    expect((await store.readStream(id)).map((e) => e.version)).toEqual([1, 2]);
    expect(await store.appendToStream(id, 2, [])).toEqual([]);
  });

  it('lets exactly one of two concurrent appends at the same version win', async () => {
    const store = createStore();
    const id = newStream();
    await store.appendToStream(id, 0, events(1));
    const results = await Promise.allSettled([store.appendToStream(id, 1, events(2, 'A')), store.appendToStream(id, 1, events(3, 'B'))]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.reason).toBeInstanceOf(StreamVersionConflictError);
    const all = await store.readStream(id);
    expect(new Set(all.slice(1).map((e) => e.type)).size).toBe(1);
    expect(verifyChain(all)).toEqual({ valid: true });
  });

  it('reads the events after any version: a commit spanning it from the next event on, never half of one missing', async () => {
    const store = createStore();
    const id = newStream();
    // Commits 1-3, 4, 5-9.
    await store.appendToStream(id, 0, events(3));
    await store.appendToStream(id, 3, events(1, 'One', 3));
    await store.appendToStream(id, 4, events(5, 'Five', 4));
    const all = await store.readStream(id);
    for (let after = 0; after <= 11; after++) {
      expect({ after, versions: (await store.readStreamFrom(id, after)).map((e) => e.version) }).toEqual({ after, versions: all.filter((e) => e.version > after).map((e) => e.version) });
    }
    expect(await store.readStreamFrom(id, 6)).toEqual(all.slice(6));
    expect(verifyChain(await store.readStreamFrom(id, 2), all[1]!.hash)).toEqual({ valid: true });
    expect(await store.readStreamFrom(newStream(), 0)).toEqual([]);
    expect(await store.readStreamFrom(newStream(), 3)).toEqual([]);
  });

  it('reads the latest events of a stream, in stream order, and pages back to its start', async () => {
    // given a stream of commits 1-3, 4, 5-9, 10-11
    const store = createStore();
    const id = newStream();
    await store.appendToStream(id, 0, events(3));
    await store.appendToStream(id, 3, events(1, 'One', 3));
    await store.appendToStream(id, 4, events(5, 'Five', 4));
    await store.appendToStream(id, 9, events(2, 'Two', 9));
    const all = await store.readStream(id);
    // when the latest 4 are read, then the 4 before the oldest read, until nothing is left
    const pages: number[][] = [];
    let beforeVersion: number | undefined;
    for (;;) {
      const page = await store.readStreamTail(id, 4, beforeVersion);
      if (page.length === 0) break;
      pages.push(page.map((e) => e.version));
      beforeVersion = page[0]!.version;
    }
    // then each page is the 4 latest below the previous one, ascending (a commit spanning a page's start split), down to version 1
    expect(pages).toEqual([[8, 9, 10, 11], [4, 5, 6, 7], [1, 2, 3]]);
    expect(await store.readStreamTail(id, 4)).toEqual(all.slice(7));
    expect((await store.readStreamTail(id, 2)).map((e) => e.version)).toEqual([10, 11]);
    expect((await store.readStreamTail(id, 3, 10)).map((e) => e.version)).toEqual([7, 8, 9]);
    expect(verifyChain(await store.readStreamTail(id, 5, 8), all[1]!.hash)).toEqual({ valid: true });
  });

  it('reads a tail longer than the stream as the whole stream, and nothing of a stream that does not exist', async () => {
    // given a stream of 5 events in 2 commits
    const store = createStore();
    const id = newStream();
    await store.appendToStream(id, 0, events(2));
    await store.appendToStream(id, 2, events(3, 'Other', 2));
    const all = await store.readStream(id);
    // when more events than it holds are asked for, below any version
    // then the events it has are answered, in order
    expect(await store.readStreamTail(id, 200)).toEqual(all);
    for (let before = 1; before <= 7; before++) {
      expect({ before, versions: (await store.readStreamTail(id, 200, before)).map((e) => e.version) }).toEqual({ before, versions: all.filter((e) => e.version < before).map((e) => e.version) });
    }
    expect((await store.readStreamTail(id, 1, 4)).map((e) => e.version)).toEqual([3]);
    expect(await store.readStreamTail(id, 0)).toEqual([]);
    expect(await store.readStreamTail(newStream(), 200)).toEqual([]);
    expect(await store.readStreamTail(newStream(), 200, 10)).toEqual([]);
  });

  it('appends a large decision (a 250-server wave starting) all at once', async () => {
    const store = createStore();
    const id = newStream();
    await store.appendToStream(id, 0, events(252, 'ServerLaunchRequested'));
    const all = await store.readStream(id);
    expect(all).toHaveLength(252);
    expect(verifyChain(all)).toEqual({ valid: true });
  });

  it('handleCommand retries a decision that lost a race, so concurrent commands both land', async () => {
    const store = createStore();
    const p = plan({ id: 'w', servers: [1, 2, 3, 4] });
    for (const e of history(startExecution(p), recordJob('w-b1', jobId(1), [1, 2, 3, 4]))) {
      const version = (await store.readStream(`execution/${EXECUTION_ID}`)).length;
      await store.appendToStream(`execution/${EXECUTION_ID}`, version, [e]);
    }
    await Promise.all([1, 2, 3, 4].map((n) => handleCommand(store, EXECUTION_ID, launchResult(jobId(1), n))));
    const { stored, state } = await loadExecution(store, EXECUTION_ID);
    expect(stored.filter((e) => e.type === 'ServerLaunched')).toHaveLength(4);
    expect(state.status === 'RUNNING' && [...state.servers.values()].every((s) => s.status === 'LAUNCHED')).toBe(true);
    expect(verifyChain(stored)).toEqual({ valid: true });
    // A duplicate appends nothing.
    expect((await handleCommand(store, EXECUTION_ID, launchResult(jobId(1), 1))).appended).toEqual([]);
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every level and leaves out undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { y: 1, x: undefined }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":1}]},"b":1}');
  });
});

const snapshotStores: [string, () => SnapshotStore][] = [
  ['in-memory', () => new InMemorySnapshotStore()],
  ['DynamoDB (dynalite)', () => new DynamoDbSnapshotStore(snapshotsTable, dynamo.client)],
];

describe.each(snapshotStores)('SnapshotStore contract: %s', (_name, createSnapshots) => {
  it('keeps the latest snapshot of a stream, never replacing it with an older one', async () => {
    const snapshots = createSnapshots();
    const id = newStream();
    expect(await snapshots.read(id)).toBeUndefined();
    const state = serializeExecutionState(foldExecution(history(startExecution(plan({ id: 'w', servers: [1, 2] })))));
    await snapshots.write({ streamId: id, version: 10, hash: 'a'.repeat(64), state });
    await snapshots.write({ streamId: id, version: 5, hash: 'b'.repeat(64), state: { format: 1, state: { status: 'NOT_STARTED' } } });
    expect(await snapshots.read(id)).toEqual({ streamId: id, version: 10, hash: 'a'.repeat(64), state: JSON.parse(JSON.stringify(state)) });
    await snapshots.write({ streamId: id, version: 12, hash: 'c'.repeat(64), state });
    expect((await snapshots.read(id))?.version).toBe(12);
  });
});

// ---------------------------------------------------------------- DynamoDB items, big commits, streams, snapshots

/** A plan as planning resolves it, with realistic ids and names (sizes matter here). */
function bigPlan(servers: number, waves: number): ReturnType<typeof plan> {
  const per = Math.ceil(servers / waves);
  return {
    planId: '01J9Z3Q8W5R7T2Y4V6K8M0PLAN', version: 12, name: 'Datacenter exit - all tiers',
    waves: Array.from({ length: waves }, (_, w) => ({
      waveId: `wave-${w + 1}`, name: `Wave ${w + 1}`, dependsOn: w === 0 ? [] : [`wave-${w}`], launchOrder: 'PARALLEL' as const, errorPolicy: 'STOP' as const,
      servers: Array.from({ length: Math.min(per, servers - w * per) }, (_, i) => {
        const k = w * per + i;
        return {
          sourceServerId: `s-${k.toString(16).padStart(17, '0')}`, accountId: '123456789012', region: 'us-east-1',
          hostname: `app-${k.toString().padStart(5, '0')}.prod.corp.example.com`, criticality: (k % 5 ? 'CRITICAL' : 'OPTIONAL') as 'CRITICAL' | 'OPTIONAL',
          protectionGroupId: `pg-01J9Z3Q8W5R7T2Y4V6K8M0P${(k % 20).toString().padStart(3, '0')}`,
        };
      }),
    })),
  };
}

function start(executionId: string, p: ReturnType<typeof plan>): ExecutionCommand {
  return { type: 'StartExecution', data: { executionId, mode: 'DRILL', plan: p }, metadata: startExecution(p).metadata };
}

const doc = () => DynamoDBDocumentClient.from(dynamo.client);
async function commitItems(table: string, streamId: string): Promise<Record<string, unknown>[]> {
  return (await doc().send(new QueryCommand({ TableName: table, KeyConditionExpression: 'streamId = :s', ExpressionAttributeValues: { ':s': streamId } }))).Items ?? [];
}

describe('DynamoDB event store: commits', () => {
  const createStore = () => new DynamoDbEventStore(eventsTable, dynamo.client);

  it('stores the events of a commit gzip-compressed (binary); the hashes stay over their canonical JSON', async () => {
    const store = createStore();
    const id = newStream();
    const appended = await store.appendToStream(id, 0, events(3));
    const [item] = await commitItems(eventsTable, id);
    expect(item).toMatchObject({ streamId: id, version: 1, lastVersion: 3, lastHash: appended[2]!.hash, eventTypes: ['Thing'], eventCount: 3 });
    expect(item?.eventsGzip).toBeInstanceOf(Uint8Array);
    expect(item).not.toHaveProperty('events');
    const all = await store.readStream(id);
    expect(all).toEqual(appended);
    expect(verifyChain(all)).toEqual({ valid: true });
  });

  it('reads the text commits written before, and appends after them', async () => {
    const store = createStore();
    const id = newStream();
    const old = chainEvents(id, 0, null, events(2, 'Old'));
    const legacy: CommitItem = { streamId: id, version: 1, lastVersion: 2, lastHash: old[1]!.hash, eventTypes: ['Old', 'Old'], committedAt: '2025-01-01T00:00:00.000Z', events: JSON.stringify(old) };
    await doc().send(new PutCommand({ TableName: eventsTable, Item: legacy }));
    await store.appendToStream(id, 2, events(3, 'New', 2));
    const all = await store.readStream(id);
    expect(all.map((e) => [e.version, e.type])).toEqual([[1, 'Old'], [2, 'Old'], [3, 'New'], [4, 'New'], [5, 'New']]);
    expect(all.slice(0, 2)).toEqual(old);
    expect(verifyChain(all)).toEqual({ valid: true });
    expect((await store.readStreamFrom(id, 1)).map((e) => e.version)).toEqual([2, 3, 4, 5]);
  });

  it('fits a 1,000-server wave start and a 4,000-server execution start in one commit each', async () => {
    const sizes: Record<string, unknown>[] = [];
    for (const [servers, waves] of [[1000, 1], [4000, 4], [4000, 1]] as const) {
      const store = createStore();
      const executionId = newEventId();
      const result = await handleCommand(store, executionId, start(executionId, bigPlan(servers, waves)));
      const items = await commitItems(eventsTable, streamIdOf(executionId));
      expect(items).toHaveLength(1);
      const gz = (items[0]?.eventsGzip as Uint8Array).byteLength;
      expect(gz).toBeLessThan(380 * 1024);
      const [started] = result.appended;
      sizes.push({
        servers, waves, events: result.appended.length, commitJsonBytes: Buffer.byteLength(JSON.stringify(result.appended)), commitGzipBytes: gz,
        executionStartedDetailBytes: Buffer.byteLength(JSON.stringify({ metadata: { ...started!.metadata, streamId: started!.streamId, streamVersion: 1, previousHash: null, hash: started!.hash }, data: started!.data })),
      });
    }
    console.log(`commit sizes:\n${sizes.map((s) => JSON.stringify(s)).join('\n')}`);
  }, 60_000);

  it('still refuses a commit too large once compressed', async () => {
    const store = createStore();
    const big = events(5).map((e) => ({ ...e, data: { blob: randomBytes(90_000).toString('base64') } }));
    await expect(store.appendToStream(newStream(), 0, big)).rejects.toBeInstanceOf(CommitTooLargeError);
  });

  it('gives the stream publisher what the local runtime\'s DynamoDB stream delivers: compressed and text commits', async () => {
    const local = await startLocalDynamoDb();
    try {
      const tables = tablesOfServerlessYml(SERVERLESS_YML, { stage: 'streams', region: 'us-east-1', accountId: '123456789012' });
      await local.createTables(tables);
      const table = tables.find((t) => t.StreamSpecification)?.TableName ?? '';
      const client = new DynamoDBClient({ endpoint: local.endpoint, region: 'us-east-1' });
      const store = new DynamoDbEventStore(table, client);
      const executionId = newEventId();
      const streamId = streamIdOf(executionId);
      const p = plan({ id: 'w', servers: [1, 2] });
      // A commit written as text (before compression), then one compressed.
      const old = chainEvents(streamId, 0, null, history(start(executionId, p)));
      const legacy: CommitItem = { streamId, version: 1, lastVersion: old.length, lastHash: old.at(-1)!.hash, eventTypes: old.map((e) => e.type), committedAt: '2025-01-01T00:00:00.000Z', events: JSON.stringify(old) };
      await DynamoDBDocumentClient.from(client).send(new PutCommand({ TableName: table, Item: legacy }));
      await handleCommand(store, executionId, recordJob('w-b1', jobId(1), [1, 2]));

      const records = local.streams.readAfter(table, 0, 100).filter((r) => r.keys.streamId?.S === streamId);
      expect(records).toHaveLength(2);
      // Binary attributes come base64-encoded, as in Lambda's records.
      expect(typeof records[1]?.newImage?.eventsGzip?.B).toBe('string');
      const published: DomainEvent[] = [];
      const executions = new InMemoryExecutionList();
      const result = await publishCommits(
        { store, executions, publish: async (e) => void published.push(...e) },
        { Records: records.map((r) => ({ eventName: r.eventName, dynamodb: { Keys: r.keys, NewImage: r.newImage as Record<string, unknown>, SequenceNumber: String(r.sequenceNumber) } })) },
      );
      const all = await store.readStream(streamId);
      expect(result).toEqual({ published: all.length, views: 1 });
      expect(published.map((e) => [e.type, e.metadata.streamVersion, e.metadata.hash])).toEqual(all.map((e) => [e.type, e.version, e.hash]));
      client.destroy();
    } finally {
      await local.close();
    }
  });
});

describe('DynamoDB event store: snapshots', () => {
  const withSnapshots = () => new DynamoDbEventStore(eventsTable, dynamo.client, undefined, { snapshotsTable });

  it('the command handler writes one every 500 events; a cold load elsewhere starts from it and equals the full fold', async () => {
    const executionId = newEventId();
    const streamId = streamIdOf(executionId);
    await handleCommand(withSnapshots(), executionId, start(executionId, bigPlan(600, 1)));
    const item = (await doc().send(new GetCommand({ TableName: snapshotsTable, Key: { streamId } }))).Item;
    expect(item).toMatchObject({ streamId, version: 602 });
    expect(item?.stateGzip).toBeInstanceOf(Uint8Array);

    const other = withSnapshots();
    const cold = await loadExecution(other, executionId);
    const all = await other.readStream(streamId);
    expect(cold.stored).toEqual(all);
    expect(cold.state).toEqual(foldExecution(toExecutionEvents(all)));
  }, 30_000);

  it('uses the snapshot of this history (and only it)', async () => {
    const executionId = newEventId();
    const streamId = streamIdOf(executionId);
    const plain = createPlainStore();
    await handleCommand(plain, executionId, start(executionId, plan({ id: 'w', servers: [1, 2, 3] })));
    const all = await plain.readStream(streamId);
    const state = foldExecution(toExecutionEvents(all));
    if (state.status === 'NOT_STARTED') throw new Error('not started');
    const snapshots = new DynamoDbSnapshotStore(snapshotsTable, dynamo.client);
    // What the snapshot says wins over the events it covers: proof that it was read.
    await snapshots.write({ streamId, version: all.length, hash: all.at(-1)!.hash, state: serializeExecutionState({ ...state, retries: 42 }) });
    const loaded = await loadExecution(withSnapshots(), executionId);
    expect(loaded.state.status !== 'NOT_STARTED' && loaded.state.retries).toBe(42);
    expect(loaded.stored).toEqual(all);
    // Without the snapshots table, or once the snapshot is not of this history, the events decide.
    forgetCachedExecutions(plain);
    expect((await loadExecution(plain, executionId)).state).toEqual(state);
    await snapshots.write({ streamId, version: all.length + 1, hash: 'f'.repeat(64), state: serializeExecutionState({ ...state, retries: 42 }) });
    expect((await loadExecution(withSnapshots(), executionId)).state).toEqual(state);
  });

  const createPlainStore = () => new DynamoDbEventStore(eventsTable, dynamo.client);
});

describe('1,000 concurrent launch results on one execution (dynalite; measured)', () => {
  /** Counts the conflicts its appends meet. */
  class CountingStore extends DynamoDbEventStore {
    conflicts = 0;
    appends = 0;
    override async appendToStream(streamId: string, expectedVersion: number, events: readonly DomainEvent[]) {
      try {
        const stored = await super.appendToStream(streamId, expectedVersion, events);
        this.appends++;
        return stored;
      } catch (error) {
        if (error instanceof StreamVersionConflictError) this.conflicts++;
        throw error;
      }
    }
  }

  async function launching(servers: number): Promise<{ executionId: string; ids: number[] }> {
    const store = new DynamoDbEventStore(eventsTable, dynamo.client);
    const executionId = newEventId();
    const ids = Array.from({ length: servers }, (_, i) => i + 1);
    await handleCommand(store, executionId, start(executionId, plan({ id: 'w', servers: ids })));
    for (let b = 0; b * 100 < servers; b++) await handleCommand(store, executionId, recordJob(`w-b${b + 1}`, jobId(b + 1), ids.slice(b * 100, b * 100 + 100)));
    return { executionId, ids };
  }

  it.each([1, 4, 25])('through %i process(es)', async (processes) => {
    const { executionId, ids } = await launching(1000);
    const stores = Array.from({ length: processes }, () => new CountingStore(eventsTable, dynamo.client));
    const before = (await commitItems(eventsTable, streamIdOf(executionId))).length;
    const t0 = performance.now();
    const outcomes = await Promise.allSettled(ids.map((n, i) => handleCommand(stores[i % processes]!, executionId, launchResult(jobId(Math.ceil(n / 100)), n))));
    const ms = Math.round(performance.now() - t0);
    const failed = outcomes.filter((o) => o.status === 'rejected');
    // Only the last conflict of a command that kept losing may fail it (its caller retries).
    for (const f of failed) expect((f as PromiseRejectedResult).reason).toBeInstanceOf(StreamVersionConflictError);
    const all = await new DynamoDbEventStore(eventsTable, dynamo.client).readStream(streamIdOf(executionId));
    expect(all.filter((e) => e.type === 'ServerLaunched')).toHaveLength(1000 - failed.length);
    expect(verifyChain(all)).toEqual({ valid: true });
    if (processes === 1) expect(failed).toHaveLength(0);
    const commits = (await commitItems(eventsTable, streamIdOf(executionId))).length - before;
    console.log(`1,000 launch results through ${processes} process(es): ${ms} ms, ${commits} commits, ${stores.reduce((n, s) => n + s.conflicts, 0)} conflicts, ${failed.length} failed`);
  }, 120_000);
});
