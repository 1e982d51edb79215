import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import type { DomainEvent } from '@lifeboat/events';
import { newEventId } from '@lifeboat/events';
import { startServiceDynamoDb, type ServiceDynamoDb } from '@lifeboat/testing';
import { handleCommand, loadExecution } from '../src/command-handler.js';
import { DynamoDbEventStore } from '../src/event-store/dynamodb.js';
import type { EventStore } from '../src/event-store/event-store.js';
import { StreamVersionConflictError, canonicalJson, hashEvent, verifyChain } from '../src/event-store/event-store.js';
import { InMemoryEventStore } from '../src/event-store/in-memory.js';
import { EXECUTION_ID, history, jobId, launchResult, plan, recordJob, startExecution } from './support/decider-spec.js';

let dynamo: ServiceDynamoDb;
let eventsTable: string;

beforeAll(async () => {
  dynamo = await startServiceDynamoDb(fileURLToPath(new URL('../serverless.yml', import.meta.url)), { stage: 'contract' });
  eventsTable = dynamo.table('ExecutionEventsTable');
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
